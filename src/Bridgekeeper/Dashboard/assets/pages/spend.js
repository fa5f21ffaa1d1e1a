// Spend: the budgets' current accounts, per user and per model for the range, the top spenders, and CSV exports (served
// by the usage API itself).
import { query } from '../lib/api.js';
import { h, put, table } from '../lib/dom.js';
import { barChart } from '../lib/charts.js';
import { budgetSection } from '../lib/budgets.js';
import { currentRange, since, rangePicker } from '../lib/range.js';
import { usageSummary, usageColumns as c } from '../lib/usage.js';

export const title = 'Spend';

const columns = [c.requests, c.input, c.output, c.cacheRead, c.cacheWrite, c.reasoning, c.cost, c.unpriced];

function byCost(a, b) {
  return (b.cost_usd ?? -1) - (a.cost_usd ?? -1) || a.key.localeCompare(b.key);
}

function exportLink(groupBy, range) {
  return h('a', { class: 'button', href: `/api/v1/usage${query({ group_by: groupBy, since: since(range), format: 'csv' })}`, download: '', 'data-testid': `csv-${groupBy}` },
    `Export CSV (by ${groupBy})`);
}

export async function render(main, { navigate }) {
  const range = currentRange();
  const summary = await usageSummary(range);
  const [users, models] = [summary.by_user.sort(byCost), summary.by_model.sort(byCost)];
  const top = users.filter(r => r.cost_usd !== null).slice(0, 10);
  const canvas = h('canvas', { 'aria-label': 'Top spenders' });
  put(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Spend'), rangePicker(range, value => navigate(`/ui/spend?range=${value}`))),
    budgetSection(summary.budgets),
    h('section', { class: 'card' }, h('h2', {}, 'Top spenders'), h('div', { class: 'chart small' }, canvas)),
    h('section', { class: 'card', 'data-testid': 'by-user' }, h('div', { class: 'card-head' }, h('h2', {}, 'Per user'), exportLink('user', range)),
      table([['User', r => r.key], ...columns], users, { key: r => r.key })),
    h('section', { class: 'card', 'data-testid': 'by-model' }, h('div', { class: 'card-head' }, h('h2', {}, 'Per model'), exportLink('model', range)),
      table([['Model', r => r.key], ...columns], models, { key: r => r.key })));
  barChart(canvas, top.map(r => r.key), 'Cost (USD)', top.map(r => r.cost_usd), { horizontal: true });
}
