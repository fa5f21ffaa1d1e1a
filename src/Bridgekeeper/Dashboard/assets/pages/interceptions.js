// Interceptions: the audit trail, filtered and paged by the API, newest first; each row opens the interception.
import { api, query } from '../lib/api.js';
import { h, put, count, usd, time, table, link, badge } from '../lib/dom.js';
import { filterValues, filterForm, pager } from '../lib/filters.js';
import { interceptionBlock } from '../lib/thread.js';

export const title = 'Interceptions';

function tokens(i, field) {
  return i.token_usages.reduce((total, t) => total + t[field], 0);
}

const columns = [
  ['Started', i => link(`/ui/interceptions/${i.id}`, time(i.started_at))],
  ['User', i => i.user.name ?? ''],
  ['Provider', i => i.provider],
  ['Model', i => i.model],
  ['Client', i => i.client],
  ['Status', i => badge(i.status, { completed: 'ok', failed: 'bad' }[i.status] ?? 'warn')],
  ['Prompt', i => (i.prompts[0]?.prompt ?? '').slice(0, 80), 'prompt-cell'],
  ['Input', i => count(tokens(i, 'input_tokens')), 'num'],
  ['Output', i => count(tokens(i, 'output_tokens')), 'num'],
  ['Tools', i => count(i.tool_usages.length), 'num'],
  ['Cost', i => usd(i.cost_usd), 'num'],
];

export async function render(main, { navigate, me }) {
  const names = me.role === 'member'
    ? ['provider', 'model', 'client', 'since', 'until'] : ['user', 'provider', 'model', 'client', 'since', 'until'];
  const values = filterValues(names);
  const page = await api(`/api/v1/interceptions${query({ ...values, limit: 50 })}`);
  const list = table(columns, page.interceptions, { key: i => i.id, testid: 'interceptions', empty: 'No interceptions match.' });
  const more = pager(page.next_cursor, async cursor => {
    const next = await api(`/api/v1/interceptions${query({ ...values, limit: 50, cursor })}`);
    list.querySelector('tbody')?.append(...table(columns, next.interceptions, { key: i => i.id }).querySelectorAll('tbody tr'));
    return next.next_cursor;
  });
  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'Interceptions')),
    filterForm(names, values, navigate, { since: '24h, 7d or RFC 3339', until: 'RFC 3339' }), list, more);
}

export async function renderOne(main, { params }) {
  const i = await api(`/api/v1/interceptions/${encodeURIComponent(params[0])}`);
  put(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Interception ', h('code', {}, i.id)), link('/ui/interceptions', 'All interceptions')),
    h('dl', { class: 'facts' },
      [['User', i.user.name], ['Provider', `${i.provider} (${i.provider_type})`], ['Model', i.model], ['Client', i.client],
        ['User agent', i.user_agent], ['Session', i.session_id ? link(`/ui/sessions/${encodeURIComponent(i.session_id)}${query({ user: i.user.name })}`, i.session_id) : 'none'],
        ['Started', time(i.started_at)], ['Ended', time(i.ended_at)], ['Status', i.status], ['Cost', usd(i.cost_usd)],
        ['Metadata', JSON.stringify(i.metadata)]]
        .map(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '')])),
    h('div', { class: 'thread' }, interceptionBlock(i, { heading: false })));
}
