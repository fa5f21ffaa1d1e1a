// Sessions: agent sessions, newest first, with their totals; each opens as one thread.
import { api, query } from '../lib/api.js';
import { h, put, count, usd, time, table, link } from '../lib/dom.js';
import { filterValues, filterForm, pager } from '../lib/filters.js';

export const title = 'Sessions';

const columns = [
  ['Session', s => link(`/ui/sessions/${encodeURIComponent(s.id)}${query({ user: s.user.name })}`, s.id)],
  ['User', s => s.user.name ?? ''],
  ['Client', s => s.client],
  ['First', s => time(s.first_at)],
  ['Last', s => time(s.last_at)],
  ['Requests', s => count(s.interceptions), 'num'],
  ['Failed', s => count(s.failed_interceptions), 'num'],
  ['Input', s => count(s.input_tokens), 'num'],
  ['Output', s => count(s.output_tokens), 'num'],
  ['Tool calls', s => `${count(s.tool_calls)}${s.injected_tool_calls ? ` (${count(s.injected_tool_calls)} injected)` : ''}`, 'num'],
  ['Cost', s => usd(s.cost_usd), 'num'],
];

export async function render(main, { navigate, me }) {
  const names = me.role === 'member' ? ['client', 'since', 'until'] : ['user', 'client', 'since', 'until'];
  const values = filterValues(names);
  const page = await api(`/api/v1/sessions${query({ ...values, limit: 50 })}`);
  const list = table(columns, page.sessions, { key: s => `${s.user.name}/${s.id}`, testid: 'sessions', empty: 'No sessions match.' });
  const more = pager(page.next_cursor, async cursor => {
    const next = await api(`/api/v1/sessions${query({ ...values, limit: 50, cursor })}`);
    const rows = table(columns, next.sessions, { key: s => `${s.user.name}/${s.id}` }).querySelectorAll('tbody tr');
    list.querySelector('tbody')?.append(...rows);
    return next.next_cursor;
  });
  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'Sessions')),
    filterForm(names, values, navigate, { since: '24h, 7d or RFC 3339' }),
    h('p', { class: 'muted' }, 'A session is one agent conversation (Claude Code, Codex, Copilot session ids; Anthropic metadata.user_id). Requests without one stand alone under Interceptions.'),
    list, more);
}
