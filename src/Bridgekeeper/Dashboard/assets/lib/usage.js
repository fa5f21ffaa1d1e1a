// The usage report (GET /api/v1/usage) as the report pages read and show it.
import { api, query } from './api.js';
import { count, usd } from './dom.js';
import { since, bucket } from './range.js';

// The usage of the range by time, provider, model, client and user, from one pass (GET /api/v1/usage/summary).
export function usageSummary(range) {
  return api(`/api/v1/usage/summary${query({ bucket: bucket(range), since: since(range) })}`);
}

// The columns of a usage row, by name, for table().
export const usageColumns = {
  requests: ['Requests', r => count(r.interceptions), 'num'],
  input: ['Input', r => count(r.input_tokens), 'num'],
  output: ['Output', r => count(r.output_tokens), 'num'],
  cacheRead: ['Cache read', r => count(r.cache_read_tokens), 'num'],
  cacheWrite: ['Cache write', r => count(r.cache_write_tokens), 'num'],
  reasoning: ['Reasoning', r => count(r.reasoning_tokens), 'num'],
  cost: ['Cost', r => usd(r.cost_usd), 'num'],
  unpriced: ['Unpriced requests', r => count(r.unpriced_interceptions), 'num'],
};
