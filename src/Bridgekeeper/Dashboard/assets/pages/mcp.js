// MCP servers: each approved server's state now, the tools it offers, and its injected calls and failures in the range.
import { api, query } from '../lib/api.js';
import { h, put, count, table, badge } from '../lib/dom.js';
import { currentRange, since, rangePicker } from '../lib/range.js';

export const title = 'MCP servers';

const kinds = { connected: 'ok', down: 'bad', connecting: 'warn', idle: '' };

export async function render(main, { navigate }) {
  const range = currentRange();
  const { servers } = await api(`/api/v1/mcp/servers${query({ since: since(range) })}`);
  put(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'MCP servers'), rangePicker(range, value => navigate(`/ui/mcp?range=${value}`))),
    h('p', { class: 'muted' }, 'Their tools are injected into every request as bmcp_<server>_<tool>; the gateway runs them and the client sees one answer.'),
    table([
      ['Server', s => h('code', {}, s.name)],
      ['URL', s => s.url],
      ['Transport', s => s.transport],
      ['Status', s => [badge(s.status, kinds[s.status]), s.error ? h('div', { class: 'error small' }, s.error) : null]],
      ['Credential', s => s.requires_user_token ? 'each user\'s own token' : 'shared'],
      ['Tools offered', s => count(s.tools.length), 'num'],
      ['Calls', s => count(s.calls), 'num'],
      ['Failures', s => count(s.failures), 'num'],
    ], servers, { key: s => s.name, testid: 'servers', empty: 'No MCP servers are configured (BRIDGEKEEPER_MCP_<N>_NAME and _URL).' }),
    servers.filter(s => s.tools.length > 0).map(s => h('section', { class: 'card', 'data-testid': `tools-${s.name}` },
      h('h2', {}, `Tools of ${s.name}`), h('ul', { class: 'tools' }, s.tools.map(t => h('li', {}, h('code', {}, `bmcp_${s.name}_${t}`)))))));
}
