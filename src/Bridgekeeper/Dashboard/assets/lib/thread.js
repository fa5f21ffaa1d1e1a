// One interception as a readable part of a thread: its prompt, then what happened in order (thoughts, tool calls with
// their inputs and results, injected ones marked, and each upstream response's tokens and cost), then any error.
import { h, count, usd, time, badge, link } from './dom.js';

const order = { thought: 0, tool: 1, turn: 2 };

function events(interception) {
  const all = [
    ...interception.thoughts.map(t => ({ kind: 'thought', at: t.created_at, value: t })),
    ...interception.tool_usages.map(t => ({ kind: 'tool', at: t.created_at, value: t })),
    ...interception.token_usages.map(t => ({ kind: 'turn', at: t.created_at, value: t })),
  ];
  return all.sort((a, b) => a.at.localeCompare(b.at) || order[a.kind] - order[b.kind]);
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function tool(call) {
  return h('div', { class: `event tool${call.injected ? ' injected' : ''}${call.error ? ' failed' : ''}`, 'data-event': 'tool', 'data-tool': call.tool },
    h('div', { class: 'event-head' }, call.injected ? badge('injected (MCP)', 'injected') : badge('client tool'), ' ', h('code', {}, call.tool),
      call.duration_ms !== null && call.duration_ms !== undefined ? h('span', { class: 'muted' }, ` ${count(call.duration_ms)} ms`) : null,
      call.server_url ? h('span', { class: 'muted' }, ` ${call.server_url}`) : null),
    h('details', { open: true }, h('summary', {}, 'Input'), h('pre', { 'data-part': 'input' }, pretty(call.input))),
    call.result !== null && call.result !== undefined ? h('details', { open: call.result.length <= 600 }, h('summary', {}, 'Result'), h('pre', { 'data-part': 'result' }, call.result)) : null,
    call.error ? h('p', { class: 'error', 'data-part': 'error' }, `Error: ${call.error}`) : null);
}

function turn(usage, number) {
  return h('div', { class: 'event turn', 'data-event': 'turn' },
    h('strong', {}, `Turn ${number}`), ' ',
    h('span', { 'data-part': 'tokens' }, `in ${count(usage.input_tokens)} · out ${count(usage.output_tokens)} · cache read ${count(usage.cache_read_tokens)}`
      + ` · cache write ${count(usage.cache_write_tokens)}${usage.cache_write_1h_tokens ? ` (1-hour ${count(usage.cache_write_1h_tokens)})` : ''}`
      + `${usage.reasoning_tokens ? ` · reasoning ${count(usage.reasoning_tokens)}` : ''}`
      + `${usage.web_search_requests ? ` · web searches ${count(usage.web_search_requests)}` : ''}`),
    ' · ', h('span', { 'data-part': 'cost' }, usd(usage.cost_usd)));
}

function thought(value) {
  return h('details', { class: 'event thought', 'data-event': 'thought' }, h('summary', {}, `Thought (${value.source.replace('_', ' ')})`),
    h('pre', {}, value.content));
}

export function interceptionBlock(i, { heading = true } = {}) {
  let turns = 0;
  const statusKind = { completed: 'ok', failed: 'bad', canceled: 'warn', in_progress: 'warn' }[i.status] ?? '';
  return h('article', { class: 'interception', 'data-interception': i.id },
    heading ? h('header', { class: 'event-head' },
      link(`/ui/interceptions/${i.id}`, time(i.started_at)), ' ', badge(i.status, statusKind), ' ',
      h('span', {}, `${i.provider} · ${i.model} · ${i.client}${i.streaming ? ' · streaming' : ''}`), ' · ',
      h('span', { 'data-part': 'cost' }, usd(i.cost_usd))) : null,
    i.prompts.map(p => h('blockquote', { class: 'prompt', 'data-part': 'prompt' }, p.prompt)),
    events(i).map(e => e.kind === 'tool' ? tool(e.value) : e.kind === 'turn' ? turn(e.value, ++turns) : thought(e.value)),
    i.error ? h('p', { class: 'error', 'data-part': 'interception-error' }, `Error: ${i.error}`) : null);
}
