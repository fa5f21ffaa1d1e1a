#!/usr/bin/env node
// Streaming probe for bench/run.sh (no dependencies). Posts streaming chat completions and reads the SSE bytes.
//
//   node stream-probe.js --url http://127.0.0.1:P/openai/v1/chat/completions --key KEY
//        [--mode seq|conc] [--n 200] [--words 200] [--delay-ms 0] [--warmup 20] [--header 'Name: value']...
//        [--body-file FILE]   (the request body; default a one-line streaming chat request)
//
// seq:  n streams one after another on one keep-alive connection; per stream, the time to the first token (the first
//       data: frame whose delta carries non-empty content) and to the end of the body. Prints p50/p99 in microseconds.
// conc: n streams at once, each on its own connection (the mock spaces events by --delay-ms so that they overlap);
//       counts the data: frames every stream received against the frames of a complete stream (--expect, or
//       words + 4: role, one per word, finish, usage, [DONE]). Prints the frames lost, failures and peak open streams.
// Output: one JSON object on stdout.
'use strict';
const http = require('http');

function parseArgs(argv) {
  const args = { mode: 'seq', n: 200, words: 200, delayMs: 0, warmup: 20, headers: {}, expect: 0, timeoutMs: 120000 };
  for (let i = 2; i < argv.length; i++) {
    const name = argv[i];
    const value = argv[++i];
    switch (name) {
      case '--url': args.url = value; break;
      case '--key': args.key = value; break;
      case '--mode': args.mode = value; break;
      case '--n': args.n = Number(value); break;
      case '--words': args.words = Number(value); break;
      case '--delay-ms': args.delayMs = Number(value); break;
      case '--warmup': args.warmup = Number(value); break;
      case '--expect': args.expect = Number(value); break;
      case '--timeout-ms': args.timeoutMs = Number(value); break;
      case '--body-file': args.bodyFile = value; break;
      case '--header': {
        const at = value.indexOf(':');
        args.headers[value.slice(0, at).trim()] = value.slice(at + 1).trim();
        break;
      }
      default: throw new Error(`unknown argument ${name}`);
    }
  }
  if (!args.url) throw new Error('--url is required');
  return args;
}

const args = parseArgs(process.argv);
const url = new URL(args.url);
const body = args.bodyFile ? require('fs').readFileSync(args.bodyFile, 'utf8') : JSON.stringify({
  model: 'gpt-4o-mini',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Say hello.' }],
});
const words = Array.from({ length: args.words }, (_, i) => `w${i + 1}`).join(' ');
const headers = {
  'content-type': 'application/json',
  'content-length': Buffer.byteLength(body),
  authorization: `Bearer ${args.key || 'bench'}`,
  'x-mock-text': words,
  'x-mock-chunk-words': '1',
  ...(args.delayMs > 0 ? { 'x-mock-chunk-delay-ms': String(args.delayMs) } : {}),
  ...args.headers,
};
const firstToken = /"delta":\{[^}]*"content":"[^"]/;

/** One stream: resolves {status, frames, ttftNs, totalNs, error}. onOpen/onClose bracket the time it is open. */
function stream(agent, hooks = {}) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    let ttft = null;
    let frames = 0;
    let rest = '';
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      if (hooks.onClose) hooks.onClose();
      resolve({ frames, ttftNs: ttft, totalNs: Number(process.hrtime.bigint() - start), ...result });
    };
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers, agent,
    }, (res) => {
      if (hooks.onOpen) hooks.onOpen();
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        for (const line of lines) {
          if (!line.startsWith('data:')) continue;
          frames++;
          if (ttft === null && firstToken.test(line)) ttft = Number(process.hrtime.bigint() - start);
        }
      });
      res.on('end', () => {
        if (rest.startsWith('data:')) frames++;
        finish({ status: res.statusCode });
      });
      res.on('error', (e) => finish({ status: res.statusCode, error: e.message }));
    });
    req.setTimeout(args.timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => finish({ status: 0, error: e.message }));
    req.end(body);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

const us = (ns) => (ns === null ? null : Math.round(ns / 1000));

async function sequential() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < args.warmup; i++) await stream(agent);
  const ttfts = [];
  const totals = [];
  let failures = 0;
  let frames = 0;
  for (let i = 0; i < args.n; i++) {
    const r = await stream(agent);
    if (r.status !== 200 || r.error || r.ttftNs === null) { failures++; continue; }
    ttfts.push(r.ttftNs);
    totals.push(r.totalNs);
    frames += r.frames;
  }
  agent.destroy();
  ttfts.sort((a, b) => a - b);
  totals.sort((a, b) => a - b);
  return {
    mode: 'seq', n: args.n, ok: ttfts.length, failures, frames_per_stream: ttfts.length ? frames / ttfts.length : 0,
    ttft_p50_us: us(percentile(ttfts, 50)), ttft_p99_us: us(percentile(ttfts, 99)),
    total_p50_us: us(percentile(totals, 50)), total_p99_us: us(percentile(totals, 99)),
  };
}

async function concurrent() {
  const expect = args.expect > 0 ? args.expect : args.words + 4;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  let open = 0;
  let peakOpen = 0;
  const hooks = {
    onOpen: () => { open++; peakOpen = Math.max(peakOpen, open); },
    onClose: () => { open = Math.max(0, open - 1); },
  };
  const started = process.hrtime.bigint();
  const results = await Promise.all(Array.from({ length: args.n }, () => stream(agent, hooks)));
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  let received = 0;
  let failures = 0;
  let short = 0;
  const errors = {};
  for (const r of results) {
    received += r.frames;
    if (r.status !== 200 || r.error) {
      failures++;
      const reason = r.error || `HTTP ${r.status}`;
      errors[reason] = (errors[reason] || 0) + 1;
    }
    if (r.frames < expect) short++;
  }
  const expected = expect * args.n;
  return {
    mode: 'conc', n: args.n, expect_per_stream: expect, frames_expected: expected, frames_received: received,
    frames_lost: Math.max(0, expected - received), streams_short: short, failures, errors, peak_open: peakOpen,
    wall_s: Math.round(wallS * 100) / 100,
  };
}

(args.mode === 'conc' ? concurrent() : sequential())
  .then((result) => { process.stdout.write(JSON.stringify(result) + '\n'); })
  .catch((e) => { process.stderr.write(`stream-probe: ${e.stack || e}\n`); process.exit(1); });
