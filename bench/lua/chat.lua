-- wrk script for bench/run.sh: POST a chat completion, blocking or streaming, to the OpenAI-shaped path.
-- Environment: BENCH_PATH (default /openai/v1/chat/completions), BENCH_KEY (Bearer), BENCH_MODE
-- (blocking | stream | mixed: alternate), BENCH_WORDS (stream length in words, default 200),
-- BENCH_EXTRA_HEADERS ("Name: value|Name: value", e.g. Portkey's routing headers),
-- BENCH_BODY_FILE (a file holding the blocking request body instead of the one-line one).
-- done() prints one line: BENCH requests=N duration_s=S rps=R p50_us=.. p90_us=.. p99_us=.. max_us=.. errors=E non2xx=N

local path = os.getenv("BENCH_PATH") or "/openai/v1/chat/completions"
local key = os.getenv("BENCH_KEY") or "bench"
local mode = os.getenv("BENCH_MODE") or "blocking"
local words = tonumber(os.getenv("BENCH_WORDS") or "200")
local extra = os.getenv("BENCH_EXTRA_HEADERS") or ""

local function headers(stream)
  local h = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
  }
  if stream then
    local t = {}
    for i = 1, words do t[i] = "w" .. i end
    h["x-mock-text"] = table.concat(t, " ")
    h["x-mock-chunk-words"] = "1"
  end
  for pair in string.gmatch(extra, "[^|]+") do
    local name, value = string.match(pair, "^%s*([^:]+):%s*(.-)%s*$")
    if name then h[name] = value end
  end
  return h
end

local blocking_body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello."}]}'
local stream_body = '{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},'
  .. '"messages":[{"role":"user","content":"Say hello."}]}'

local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  blocking_body = f:read("*a")
  f:close()
end

local blocking_req, stream_req
local n = 0

function init(args)
  blocking_req = wrk.format("POST", path, headers(false), blocking_body)
  stream_req = wrk.format("POST", path, headers(true), stream_body)
end

function request()
  n = n + 1
  if mode == "stream" or (mode == "mixed" and n % 2 == 0) then return stream_req end
  return blocking_req
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errors, e.status))
end
