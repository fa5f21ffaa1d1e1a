// One session as a thread: its totals, then each interception oldest first with its prompt, turns and tool calls.
import { api, query } from '../lib/api.js';
import { h, put, count, usd, time, stat, link } from '../lib/dom.js';
import { interceptionBlock } from '../lib/thread.js';
import { pager } from '../lib/filters.js';

export const title = 'Session';

export async function render(main, { params }) {
  const id = decodeURIComponent(params[0]);
  const user = new URLSearchParams(location.search).get('user') ?? '';
  const page = await api(`/api/v1/sessions/${encodeURIComponent(id)}${query({ user, limit: 50 })}`);
  const s = page.session;
  const thread = h('div', { class: 'thread', 'data-testid': 'thread' }, page.interceptions.map(i => interceptionBlock(i)));
  const more = pager(page.next_cursor, async cursor => {
    const next = await api(`/api/v1/sessions/${encodeURIComponent(id)}${query({ user, limit: 50, cursor })}`);
    thread.append(...next.interceptions.map(i => interceptionBlock(i)));
    return next.next_cursor;
  });
  put(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Session ', h('code', {}, s.id)), link('/ui/sessions', 'All sessions')),
    h('p', { class: 'muted' }, `${s.user.name} · ${s.client} · ${time(s.first_at)} to ${time(s.last_at)}`),
    h('div', { class: 'stats' },
      stat('Requests', count(s.interceptions), 'interceptions'),
      stat('Failed', count(s.failed_interceptions), 'failed_interceptions'),
      stat('Input tokens', count(s.input_tokens), 'input_tokens'),
      stat('Output tokens', count(s.output_tokens), 'output_tokens'),
      stat('Tool calls', count(s.tool_calls), 'tool_calls'),
      stat('Injected calls', count(s.injected_tool_calls), 'injected_tool_calls'),
      stat('Cost', usd(s.cost_usd), 'cost_usd')),
    thread, more);
}
