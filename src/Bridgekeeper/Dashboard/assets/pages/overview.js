// Overview: requests, tokens and cost over time, and by model, provider and client, for the chosen range; and how many
// budget accounts are near or over their limit.
import { h, put, count, usd, stat, table } from '../lib/dom.js';
import { lineChart, doughnutChart } from '../lib/charts.js';
import { currentRange, bucket, bucketKeys, rangePicker } from '../lib/range.js';
import { usageSummary, usageColumns as c } from '../lib/usage.js';
import { budgetSummary } from '../lib/budgets.js';

export const title = 'Overview';

const columns = [c.requests, c.input, c.output, c.cost];

function sum(rows, field) {
  return rows.reduce((total, row) => total + (row[field] ?? 0), 0);
}

// The total cost of rows: null only when every row with tokens is unpriced.
function totalCost(rows) {
  const priced = rows.filter(r => r.cost_usd !== null);
  return priced.length === 0 && rows.length > 0 ? null : sum(priced, 'cost_usd');
}

function breakdown(name, heading, rows) {
  const canvas = h('canvas', { 'aria-label': `Requests by ${name}` });
  const section = h('section', { class: 'card', 'data-testid': `by-${name}` }, h('h2', {}, heading),
    h('div', { class: 'chart small' }, canvas),
    table([[heading.replace('By ', ''), r => r.key || '(none)'], ...columns], rows, { key: r => r.key }));
  return { section, draw: () => doughnutChart(canvas, rows.map(r => r.key || '(none)'), rows.map(r => r.interceptions)) };
}

export async function render(main, { navigate }) {
  const range = currentRange();
  const { by_time: overTime, by_provider: byProvider, by_model: byModel, by_client: byClient, budgets } = await usageSummary(range);
  const keys = bucketKeys(range, overTime.map(r => r.key));
  const byKey = new Map(overTime.map(r => [r.key, r]));
  const timeCanvas = h('canvas', { 'aria-label': 'Requests and cost over time' });
  const tokenCanvas = h('canvas', { 'aria-label': 'Tokens over time' });
  const unpriced = sum(byProvider, 'unpriced_interceptions');
  const parts = [breakdown('provider', 'By provider', byProvider), breakdown('model', 'By model', byModel), breakdown('client', 'By client', byClient)];
  put(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Overview'), rangePicker(range, value => navigate(`/ui?range=${value}`))),
    h('div', { class: 'stats' },
      stat('Requests', count(sum(byProvider, 'interceptions')), 'interceptions'),
      stat('Input tokens', count(sum(byProvider, 'input_tokens')), 'input_tokens'),
      stat('Output tokens', count(sum(byProvider, 'output_tokens')), 'output_tokens'),
      stat('Cache read', count(sum(byProvider, 'cache_read_tokens')), 'cache_read_tokens'),
      stat('Cache write', count(sum(byProvider, 'cache_write_tokens')), 'cache_write_tokens'),
      stat('Cost', usd(totalCost(byProvider)), 'cost_usd')),
    budgetSummary(budgets),
    unpriced > 0 ? h('p', { class: 'note' }, `${count(unpriced)} requests used a model without a price; their tokens are counted, their cost is not.`) : null,
    h('div', { class: 'grid two' },
      h('section', { class: 'card' }, h('h2', {}, `Requests and cost per ${bucket(range)} (UTC)`), h('div', { class: 'chart' }, timeCanvas)),
      h('section', { class: 'card' }, h('h2', {}, `Tokens per ${bucket(range)} (UTC)`), h('div', { class: 'chart' }, tokenCanvas))),
    h('div', { class: 'grid' }, parts.map(p => p.section)));
  const series = field => keys.map(k => byKey.get(k)?.[field] ?? 0);
  lineChart(timeCanvas, keys, [{ label: 'Requests', data: series('interceptions') }, { label: 'Cost (USD)', data: series('cost_usd'), axis: 'cost' }], 'Requests');
  lineChart(tokenCanvas, keys, ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens']
    .map(field => ({ label: field.replace(/_tokens$/, '').replace('_', ' '), data: series(field) })), 'Tokens');
  parts.forEach(p => p.draw());
}
