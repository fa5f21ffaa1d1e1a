#!/usr/bin/env node
// Derives the gateway's shipped price tables from the pinned price sources. Run it deliberately and commit what it
// writes; the gateway never fetches prices at run time.
//
//   npm ci --prefix tools/prices && node tools/prices/generate.mjs [--taken YYYY-MM-DD]
//
// Writes:
//   src/Bridgekeeper/Pricing/genai-prices.json   the OpenAI and Anthropic models of @pydantic/genai-prices (pinned in
//                                                package.json, MIT): each model's match rule and its prices, dated
//                                                where the source dates them, in USD per million tokens (web searches
//                                                per 1,000), with input-size tiers as the source gives them
//   src/Bridgekeeper/Pricing/litellm-prices.json LiteLLM's table (tools/trim-prices.py over ../shared/data), only the
//                                                models genai-prices does not match, for the README to list
//   tests/Bridgekeeper.Tests/Pricing/genai-prices-golden.json
//                                                what the source's own calcPrice charges for sample usages of every
//                                                model and dated price, which the C# tests must reproduce
// --taken is the day the source was taken (default: today, UTC); it is recorded in the table and the README.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as genai from '@pydantic/genai-prices';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const version = JSON.parse(readFileSync(join(here, 'node_modules/@pydantic/genai-prices/package.json'), 'utf8')).version;
const takenArg = process.argv.indexOf('--taken');
const taken = takenArg > 0 ? process.argv[takenArg + 1] : new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(taken)) throw new Error(`--taken must be YYYY-MM-DD, not ${taken}`);

// The providers whose APIs the gateway serves (Bedrock's model ids are mapped onto Anthropic's names), and the price
// keys it records usage for. Audio, image and file-search prices are dropped: the gateway records no such usage.
const PROVIDERS = ['anthropic', 'openai'];
const KEYS = ['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok', 'cache_write_1h_mtok', 'web_searches_kcount'];

const keep = (prices) => Object.fromEntries(KEYS.filter((k) => prices[k] !== undefined).map((k) => {
  const v = prices[k];
  if (typeof v === 'number') return [k, v];
  if (v && typeof v.base === 'number' && Array.isArray(v.tiers)) return [k, { base: v.base, tiers: v.tiers.map((t) => ({ start: t.start, price: t.price })) }];
  throw new Error(`unexpected price shape for ${k}: ${JSON.stringify(v)}`);
}));

const providers = [];
const unpriced = [];
for (const id of PROVIDERS) {
  const provider = genai.findProvider({ providerId: id });
  if (!provider) throw new Error(`@pydantic/genai-prices ${version} has no provider '${id}'`);
  const models = [];
  for (const model of provider.models) {
    const variants = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
    const dated = variants.map((variant, i) => {
      const c = variant.constraint;
      if (c && c.type !== 'start_date') throw new Error(`${id}/${model.id}: a '${c.type}' price constraint; teach the gateway and this script first`);
      if (i === 0 && c) throw new Error(`${id}/${model.id}: its first price is dated; the gateway needs an undated default first`);
      return { start_date: c ? c.start_date : null, prices: keep(variant.prices) };
    });
    if (dated.some((d) => d.prices.input_mtok === undefined || d.prices.output_mtok === undefined)) {
      // e.g. audio-only models: no token prices the gateway records. Kept without prices, so their names stay theirs
      // (unpriced) instead of falling through to a later rule (gpt-4o-mini-tts must not be priced as gpt-4o-mini).
      unpriced.push(`${id}/${model.id}`);
      models.push({ id: model.id, match: model.match, unpriced: true });
      continue;
    }
    models.push({ id: model.id, match: model.match, ...(model.deprecated ? { deprecated: true } : {}), prices: dated });
  }
  providers.push({ id, models });
}

// The same match logic the source applies (case-insensitive; regexes as written).
const matches = (m, name) => ('or' in m ? m.or.some((x) => matches(x, name))
  : 'and' in m ? m.and.every((x) => matches(x, name))
  : 'equals' in m ? name === m.equals.toLowerCase()
  : 'starts_with' in m ? name.startsWith(m.starts_with.toLowerCase())
  : 'ends_with' in m ? name.endsWith(m.ends_with.toLowerCase())
  : 'contains' in m ? name.includes(m.contains.toLowerCase())
  : 'regex' in m ? new RegExp(m.regex).test(name)
  : (() => { throw new Error(`unknown match rule ${JSON.stringify(m)}`); })());
const matchedBy = (name) => providers.flatMap((p) => p.models).find((m) => matches(m.match, name.toLowerCase()));

// LiteLLM's table, trimmed as before, for the models the new source lacks.
const scratch = join(mkdtempSync(join(tmpdir(), 'bk-prices-')), 'litellm.json');
const trim = spawnSync('python3', [join(here, '..', 'trim-prices.py'), join(root, '..', 'shared', 'data', 'model-prices.json'), scratch], { stdio: 'inherit' });
if (trim.status !== 0) throw new Error('tools/trim-prices.py failed');
const litellm = JSON.parse(readFileSync(scratch, 'utf8'));
const leftover = Object.fromEntries(Object.entries(litellm.models).filter(([name]) => !matchedBy(name)));
litellm.selection += `; only the models @pydantic/genai-prices ${version} does not match`;
litellm.generated_by = 'tools/prices/generate.mjs (tools/trim-prices.py)';
litellm.models = leftover;

// Golden costs from the source's own calculator: every model, every dated price, a plain usage and one above each tier,
// asked for by a name the model's rule matches (its id, else the first plain name in its rule).
const plainNames = (m) => ('or' in m ? m.or.flatMap(plainNames) : 'equals' in m ? [m.equals] : 'starts_with' in m ? [m.starts_with] : []);
const golden = [];
const noGolden = [];
for (const provider of providers) {
  for (const model of provider.models.filter((m) => !m.unpriced)) {
    for (const variant of model.prices) {
      const at = variant.start_date ?? '2025-01-01';
      const tierStarts = Object.values(variant.prices).flatMap((v) => (typeof v === 'object' ? v.tiers.map((t) => t.start) : []));
      const sizes = [0, ...new Set(tierStarts)].map((start) => start + 1500);
      for (const total of sizes) {
        // 80 of the 200 cache writes are 1-hour ones, and 2 web searches (free where the source prices none).
        const usage = { input_tokens: total, cache_read_tokens: 300, cache_write_tokens: 200, cache_write_1h_tokens: 80, output_tokens: 700,
          web_searches: 2 };
        const price = (name) => genai.calcPrice(usage, name, { providerId: provider.id, timestamp: new Date(`${at}T00:00:00Z`) });
        const name = [model.id, ...plainNames(model.match)].find((n) => price(n)?.model.id === model.id && matchedBy(n) === model);
        if (!name) {
          noGolden.push(`${provider.id}/${model.id}`);
          continue;
        }
        golden.push({ provider: provider.id, model: model.id, name, at: `${at}T00:00:00Z`, input: total - 500, cache_read: 300, cache_write: 200,
          cache_write_1h: 80, output: 700, web_searches: 2, total_usd: price(name).total_price });
      }
    }
  }
}

const write = (path, value) => writeFileSync(join(root, path), `${JSON.stringify(value, null, 2)}\n`);
write('src/Bridgekeeper/Pricing/genai-prices.json', {
  source: `@pydantic/genai-prices ${version} (npm, MIT; https://github.com/pydantic/genai-prices)`,
  source_version: version,
  source_date: taken,
  generated_by: 'tools/prices/generate.mjs',
  units: 'USD per million tokens (*_mtok); USD per 1,000 web searches (web_searches_kcount)',
  selection: `providers ${PROVIDERS.join(', ')}; price keys ${KEYS.join(', ')}; models without token prices kept unpriced (so their names stay theirs): ${unpriced.join(', ') || 'none'}`,
  providers,
});
write('src/Bridgekeeper/Pricing/litellm-prices.json', litellm);
write('tests/Bridgekeeper.Tests/Pricing/genai-prices-golden.json', { source_version: version, costs: golden });
console.log(`genai-prices ${version}: ${providers.map((p) => `${p.models.length} ${p.id}`).join(', ')} models; `
  + `${Object.keys(leftover).length} LiteLLM models kept (${Object.keys(leftover).join(', ')}); ${golden.length} golden costs`
  + (noGolden.length ? `; no name of theirs resolves to them: ${[...new Set(noGolden)].join(', ')}` : ''));
