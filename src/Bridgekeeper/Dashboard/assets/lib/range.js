// The range picker every report page shares: the range lives in the page's query string (?range=7d).
import { h } from './dom.js';

export const ranges = [
  ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['90d', 'Last 90 days'], ['all', 'All time'],
];

export function currentRange() {
  const chosen = new URLSearchParams(location.search).get('range');
  return ranges.some(([value]) => value === chosen) ? chosen : '7d';
}

// The API's since parameter for the range (a relative form the API accepts), empty for all time.
export function since(range) {
  return range === 'all' ? '' : range;
}

export function bucket(range) {
  return range === '24h' ? 'hour' : 'day';
}

// The buckets of the range, oldest first, keyed as the API keys them (day: 2026-12-04, hour: 2026-12-04T09:00:00Z),
// so a quiet day shows as 0 instead of vanishing; for all time, the keys the API returned.
export function bucketKeys(range, keysSeen) {
  if (range === 'all') return [...keysSeen].sort();
  const hours = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24, '90d': 90 * 24 }[range];
  const now = Date.now();
  const step = range === '24h' ? 3600e3 : 86400e3;
  const keys = [];
  for (let t = now - hours * 3600e3; t <= now + step; t += step) {
    const iso = new Date(t).toISOString();
    const key = range === '24h' ? `${iso.slice(0, 13)}:00:00Z` : iso.slice(0, 10);
    if (!keys.includes(key) && new Date(range === '24h' ? key : `${key}T00:00:00Z`).getTime() <= now) keys.push(key);
  }
  return keys;
}

export function rangePicker(range, onChange) {
  return h('label', { class: 'range' }, 'Range ',
    h('select', { id: 'range', onchange: event => onChange(event.target.value) },
      ranges.map(([value, text]) => h('option', { value, selected: value === range }, text))));
}
