#!/usr/bin/env bash
# Bridgekeeper benchmark (issue 6, item 5): the same mock upstream reached directly, through nginx, through a bare YARP
# forwarder, through Bridgekeeper (auth and audit on; SQLite, and PostgreSQL when the build supports it) and through
# Portkey 1.15.2 (non-streaming only). Prints a markdown table and saves it to bench/results/YYYY-MM-DD-HHMM.md and
# bench/results/latest.md. Not a test: CI never runs it, and nothing fails on its numbers.
#
#   bench/run.sh [--soak SECONDS] [--duration SECONDS] [--rounds N] [--streams N] [--seq N]
#
#   --soak      soak length (default 1800: issue 14's 30 min)  --duration  seconds of wrk per target and load level (60)
#   --rounds    the duration is split into N interleaved rounds; each metric reports the best round (default 4)
#   --streams   concurrent streams in the frame-loss test (1000) --seq      sequential streams per TTFT round (200)
#
# Environment: BENCH_POSTGRES=postgres://... for the PostgreSQL run (otherwise a local PostgreSQL is started when its
# binaries are present and we are root); BENCH_KEEP=1 keeps the work folder (logs, databases, raw results).
# Needs root for the apt installs (wrk, nginx, sqlite3) when they are missing, Node 20+ with npm, and the .NET 10 SDK.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
soak=1800 duration=60 rounds=4 streams=1000 seq=200
while [ $# -gt 0 ]; do
  case "$1" in
    --soak) soak="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --seq) seq="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
round_s=$(( duration / rounds )); [ "$round_s" -ge 1 ] || round_s=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------- install and build
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
command -v curl >/dev/null || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "missing ${need_apt[*]}: run as root, or install them first" >&2; exit 1; }
  log "apt-get install ${need_apt[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need_apt[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need_apt[@]}" >/dev/null; }
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

if [ ! "$here/node/node_modules/.package-lock.json" -nt "$here/node/package-lock.json" ]; then
  log "npm ci (Portkey @portkey-ai/gateway 1.15.2)"
  npm ci --prefix "$here/node" --no-audit --no-fund --loglevel=error >&2
fi
log "dotnet build -c Release src/Bridgekeeper and bench/YarpForwarder"
dotnet build -c Release "$repo/src/Bridgekeeper" -v q -nologo >&2
dotnet build -c Release "$here/YarpForwarder" -v q -nologo >&2
bk="$repo/src/Bridgekeeper/bin/Release/net10.0/bridgekeeper"
yarp_dll="$here/YarpForwarder/bin/Release/net10.0/YarpForwarder.dll"
portkey_js="$here/node/node_modules/@portkey-ai/gateway/build/start-server.js"

# ---------------------------------------------------------------- processes (cleaned up on exit)
work="$(mktemp -d /tmp/bk-bench.XXXXXX)"
chmod 711 "$work"          # a local PostgreSQL runs as the postgres user, under this folder
results="$work/results.jsonl"
: > "$results"
pids=()
pg_data=""
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "$pg_data" ]; then
    su postgres -c "$pg_bin/pg_ctl -D $pg_data/data -m fast -w stop" >/dev/null 2>&1 || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# wait_http URL [header...]: until the URL answers (any HTTP status), at most 60 s.
wait_http() {
  local url="$1"; shift
  for _ in $(seq 300); do
    if curl -s -o /dev/null "$@" "$url"; then return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for $url" >&2; return 1
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# emit KIND TARGET ROUND JSON: one raw result line.
emit() { printf '{"kind":"%s","target":"%s","round":%s,"data":%s}\n' "$1" "$2" "$3" "${4:-null}" >> "$results"; }

# wrk output's BENCH line as a JSON object.
bench_json() {
  awk '/^BENCH / { printf "{"; for (i = 2; i <= NF; i++) { split($i, kv, "="); printf "%s\"%s\":%s", (i > 2 ? "," : ""), kv[1], kv[2] } print "}" ; found=1 }
       END { if (!found) print "null" }'
}

mock_port=$(free_port)
log "mock upstream on 127.0.0.1:$mock_port (work folder $work)"
"$bk" mock-upstream --http-address "127.0.0.1:$mock_port" > "$work/mock.log" 2>&1 &
mock_pid=$!; pids+=("$mock_pid")
upstream="http://127.0.0.1:$mock_port"
wait_http "$upstream/openai/v1/models" -H 'Authorization: Bearer bench'

nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<EOF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream mock { server 127.0.0.1:$mock_port; keepalive 256; }
  server {
    listen 127.0.0.1:$nginx_port;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
EOF
"$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" > "$work/nginx/stdout.log" 2>&1 &
pids+=("$!")

yarp_port=$(free_port)
dotnet "$yarp_dll" "http://127.0.0.1:$yarp_port" "$upstream" > "$work/yarp.log" 2>&1 &
yarp_pid=$!; pids+=("$yarp_pid")

# Bridgekeeper on NAME DATABASE: sets bk_port_NAME, bk_pid_NAME, bk_key_NAME; returns 1 with the reason in $work/NAME.skip.
start_bridgekeeper() {
  local name="$1" database="$2" port key
  if ! key="$(BRIDGEKEEPER_DATABASE="$database" "$bk" users create bench --role member >/dev/null 2>"$work/$name.cli.err" \
              && BRIDGEKEEPER_DATABASE="$database" "$bk" keys create bench 2>>"$work/$name.cli.err")"; then
    head -c 300 "$work/$name.cli.err" | tr '\n' ' ' > "$work/$name.skip"
    return 1
  fi
  port=$(free_port)
  # PostgreSQL has no file beside which to keep the MCP token key, so the server requires one. All the load comes with
  # one key, so the per-key cap on requests in flight (max_concurrent_per_key, 32: a guard against one runaway client)
  # is off, or the 1,000-stream test would measure that cap instead of the gateway.
  BRIDGEKEEPER_DATABASE="$database" BRIDGEKEEPER_HTTP_ADDRESS="127.0.0.1:$port" BRIDGEKEEPER_MAX_CONCURRENT_PER_KEY=0 \
    BRIDGEKEEPER_OPENAI_BASE_URL="$upstream/openai/v1/" BRIDGEKEEPER_OPENAI_KEY=bench \
    BRIDGEKEEPER_SECRET_KEY="$(head -c 32 /dev/urandom | base64)" \
    "$bk" server > "$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_http "http://127.0.0.1:$port/readyz"
  printf -v "bk_port_$name" '%s' "$port"
  printf -v "bk_pid_$name" '%s' "$pid"
  printf -v "bk_key_$name" '%s' "$key"
}
start_bridgekeeper sqlite "$work/bk-sqlite/bridgekeeper.db"
# A second user of the same gateway under rate limits well above the load (1,000,000 rpm, 1,000,000,000 tpm): the
# price of holding limits across replicas (leases from the shared buckets, the local fast path) on every request.
BRIDGEKEEPER_DATABASE="$work/bk-sqlite/bridgekeeper.db" "$bk" users create limited >/dev/null
bk_key_limited="$(BRIDGEKEEPER_DATABASE="$work/bk-sqlite/bridgekeeper.db" "$bk" keys create limited)"
BRIDGEKEEPER_DATABASE="$work/bk-sqlite/bridgekeeper.db" "$bk" limits set --user limited --rpm 1000000 --tpm 1000000000 >/dev/null

pg_url="${BENCH_POSTGRES:-}"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$pg_url" ] && [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] && [ "$(id -u)" = 0 ]; then
  pg_port=$(free_port)
  pg_data="$work/pg"; mkdir -p "$pg_data"; chown postgres:postgres "$pg_data"; chmod 700 "$pg_data"
  log "local PostgreSQL on 127.0.0.1:$pg_port"
  if su postgres -c "$pg_bin/initdb -D $pg_data/data -A trust -U postgres -E UTF8 --no-locale" >"$work/pg-init.log" 2>&1 \
     && su postgres -c "$pg_bin/pg_ctl -D $pg_data/data -l $pg_data/log -o \"-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_data\" -w start" >>"$work/pg-init.log" 2>&1 \
     && "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres bridgekeeper >>"$work/pg-init.log" 2>&1; then
    pg_url="postgres://postgres@127.0.0.1:$pg_port/bridgekeeper"
  else
    echo "local PostgreSQL did not start (see pg-init.log)" > "$work/pg.skip"
  fi
fi
have_pg=0
if [ -n "$pg_url" ]; then
  if start_bridgekeeper pg "$pg_url"; then have_pg=1; fi
elif [ ! -f "$work/pg.skip" ]; then
  echo "no BENCH_POSTGRES and no local PostgreSQL binaries" > "$work/pg.skip"
fi
[ "$have_pg" = 1 ] || log "PostgreSQL run skipped: $(cat "$work/pg.skip")"

portkey_port=$(free_port)
node "$portkey_js" --port="$portkey_port" --headless > "$work/portkey.log" 2>&1 &
portkey_pid=$!; pids+=("$portkey_pid")

# ---------------------------------------------------------------- targets
# target NAME -> base URL, path, key, extra headers (| separated), pid (for memory)
declare -A t_url t_path t_key t_extra t_pid
add_target() { t_url[$1]="$2"; t_path[$1]="$3"; t_key[$1]="$4"; t_extra[$1]="${5:-}"; t_pid[$1]="${6:-}"; }
chat=/openai/v1/chat/completions
add_target direct "$upstream" "$chat" bench "" "$mock_pid"
add_target nginx "http://127.0.0.1:$nginx_port" "$chat" bench
add_target yarp "http://127.0.0.1:$yarp_port" "$chat" bench "" "$yarp_pid"
add_target bridgekeeper "http://127.0.0.1:$bk_port_sqlite" "$chat" "$bk_key_sqlite" "" "$bk_pid_sqlite"
add_target bridgekeeper-limited "http://127.0.0.1:$bk_port_sqlite" "$chat" "$bk_key_limited" "" "$bk_pid_sqlite"
if [ "$have_pg" = 1 ]; then add_target bridgekeeper-pg "http://127.0.0.1:$bk_port_pg" "$chat" "$bk_key_pg" "" "$bk_pid_pg"; fi
add_target portkey "http://127.0.0.1:$portkey_port" /v1/chat/completions bench \
  "x-portkey-provider: openai|x-portkey-custom-host: $upstream/openai/v1" "$portkey_pid"
blocking_targets=(direct nginx yarp bridgekeeper bridgekeeper-limited); [ "$have_pg" = 1 ] && blocking_targets+=(bridgekeeper-pg); blocking_targets+=(portkey)
stream_targets=(direct nginx yarp bridgekeeper); [ "$have_pg" = 1 ] && stream_targets+=(bridgekeeper-pg)

wait_http "http://127.0.0.1:$nginx_port/openai/v1/models" -H 'Authorization: Bearer bench'
wait_http "http://127.0.0.1:$yarp_port/openai/v1/models" -H 'Authorization: Bearer bench'
wait_http "http://127.0.0.1:$portkey_port/"

# run_wrk TARGET THREADS CONNECTIONS SECONDS [MODE] [WORDS]: prints the BENCH line as JSON.
run_wrk() {
  local t="$1"
  BENCH_PATH="${t_path[$t]}" BENCH_KEY="${t_key[$t]}" BENCH_EXTRA_HEADERS="${t_extra[$t]}" BENCH_MODE="${5:-blocking}" \
    BENCH_WORDS="${6:-200}" wrk -t"$2" -c"$3" -d"$4s" --timeout 10s --latency -s "$here/lua/chat.lua" "${t_url[$t]}" \
    2>>"$work/wrk.err" | tee -a "$work/wrk.log" | bench_json
}

# Interception rows in a Bridgekeeper's database.
audit_count() {
  case "$1" in
    bridgekeeper|bridgekeeper-limited) sqlite3 "$work/bk-sqlite/bridgekeeper.db" 'PRAGMA busy_timeout=5000; SELECT count(*) FROM interceptions;' | tail -1 ;;
    bridgekeeper-pg) psql "$pg_url" -Atc 'SELECT count(*) FROM interceptions' ;;
  esac
}
# Waits until the count stops growing for 2 s (at most 180 s); prints "COUNT EPOCH_MS_OF_LAST_GROWTH".
audit_drain() {
  local last now stable=0 at
  last=$(audit_count "$1"); at=$(date +%s%3N)
  for _ in $(seq 900); do
    sleep 0.2
    now=$(audit_count "$1")
    if [ "$now" = "$last" ]; then stable=$((stable + 1)); [ "$stable" -ge 10 ] && break
    else stable=0; last=$now; at=$(date +%s%3N); fi
  done
  echo "$last $at"
}

# ---------------------------------------------------------------- measurements
log "warm-up (blocking and streaming, every target)"
for t in "${blocking_targets[@]}"; do run_wrk "$t" 1 8 3 >/dev/null; done
for t in "${stream_targets[@]}"; do run_wrk "$t" 1 4 2 stream >/dev/null; done
for t in bridgekeeper bridgekeeper-pg; do [ -n "${t_url[$t]:-}" ] && audit_drain "$t" >/dev/null; done

for r in $(seq "$rounds"); do
  for t in "${blocking_targets[@]}"; do
    log "blocking c=1 round $r/$rounds: $t (${round_s}s)"
    emit c1 "$t" "$r" "$(run_wrk "$t" 1 1 "$round_s")"
  done
  for t in "${blocking_targets[@]}"; do
    log "blocking c=32 round $r/$rounds: $t (${round_s}s)"
    if [[ "$t" == bridgekeeper* ]]; then
      audit_drain "$t" > "$work/drain"; read -r before _ < "$work/drain"; start_ms=$(date +%s%3N)
      emit c32 "$t" "$r" "$(run_wrk "$t" 2 32 "$round_s")"
      end_ms=$(date +%s%3N); at_end=$(audit_count "$t")
      audit_drain "$t" > "$work/drain"; read -r after last_ms < "$work/drain"
      emit audit "$t" "$r" "{\"rows\":$((after - before)),\"rows_in_load\":$((at_end - before)),\"load_ms\":$((end_ms - start_ms)),\"landed_ms\":$((last_ms - start_ms))}"
    else
      emit c32 "$t" "$r" "$(run_wrk "$t" 2 32 "$round_s")"
    fi
  done
done

for t in bridgekeeper bridgekeeper-pg; do [ -n "${t_url[$t]:-}" ] && audit_drain "$t" >/dev/null; done
for r in $(seq "$rounds"); do
  for t in "${stream_targets[@]}"; do
    log "streaming TTFT round $r/$rounds: $t ($seq streams of 200 events)"
    emit seq "$t" "$r" "$(node "$here/node/stream-probe.js" --mode seq --n "$seq" --words 200 \
      --url "${t_url[$t]}${t_path[$t]}" --key "${t_key[$t]}")"
  done
done

# ---------------------------------------------------------------- real-size requests (issue 14)
# A ~150 KB Claude-Code-shaped body (bench/node/big-body.js: system prompt, 12 tools, 40 turns with tool results),
# blocking at c=1 with wrk and streaming (200 events) with the probe, against the same targets as the tiny scenario.
big_body="$work/big-blocking.json" big_stream="$work/big-stream.json"
node "$here/node/big-body.js" --out "$big_body"
node "$here/node/big-body.js" --out "$big_stream" --stream
big_seq=$(( seq / 4 )); [ "$big_seq" -ge 10 ] || big_seq=10
big_targets=(direct nginx yarp bridgekeeper)
for t in "${big_targets[@]}"; do BENCH_BODY_FILE="$big_body" run_wrk "$t" 1 1 2 >/dev/null; done
for r in $(seq "$rounds"); do
  for t in "${big_targets[@]}"; do
    log "real-size blocking c=1 round $r/$rounds: $t (${round_s}s, $(wc -c < "$big_body") bytes)"
    emit big_c1 "$t" "$r" "$(BENCH_BODY_FILE="$big_body" run_wrk "$t" 1 1 "$round_s")"
  done
  for t in "${big_targets[@]}"; do
    log "real-size streaming TTFT round $r/$rounds: $t ($big_seq streams of 200 events)"
    emit big_seq "$t" "$r" "$(node "$here/node/stream-probe.js" --mode seq --n "$big_seq" --warmup 5 --words 200 \
      --body-file "$big_stream" --url "${t_url[$t]}${t_path[$t]}" --key "${t_key[$t]}")"
  done
done
emit big_size "" 1 "{\"blocking_bytes\":$(wc -c < "$big_body"),\"stream_bytes\":$(wc -c < "$big_stream")}"

# 1,000 concurrent streams: the mock spaces events 20 ms apart so that every stream is open at once (>= 4 s each).
conc_targets=(direct yarp bridgekeeper); [ "$have_pg" = 1 ] && conc_targets+=(bridgekeeper-pg)
for t in "${conc_targets[@]}"; do
  pid="${t_pid[$t]}"
  log "$streams concurrent streams: $t"
  rss_before=$(rss_kib "$pid")
  echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || true          # resets VmHWM to the current RSS
  ( peak=0; while kill -0 "$pid" 2>/dev/null; do r=$(rss_kib "$pid"); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" > "$work/peak.$t.tmp" && mv "$work/peak.$t.tmp" "$work/peak.$t"; sleep 0.2; done ) &
  sampler=$!
  probe="$(node "$here/node/stream-probe.js" --mode conc --n "$streams" --words 200 --delay-ms 20 \
    --url "${t_url[$t]}${t_path[$t]}" --key "${t_key[$t]}")"
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  emit conc "$t" 1 "{\"probe\":$probe,\"rss_before_kib\":$rss_before,\"hwm_kib\":$(hwm_kib "$pid"),\"sampled_peak_kib\":$(cat "$work/peak.$t" 2>/dev/null | grep . || echo 0)}"
done

# Soak: c=8, blocking and 50-event streams alternating, against Bridgekeeper on SQLite; RSS every 10 s.
pid="$bk_pid_sqlite"
log "soak: ${soak}s against bridgekeeper (RSS every 10 s)"
audit_drain bridgekeeper >/dev/null
( start=$(date +%s%3N); while kill -0 "$pid" 2>/dev/null; do
    printf '{"kind":"soak_sample","target":"bridgekeeper","round":1,"data":{"t_ms":%s,"rss_kib":%s}}\n' \
      "$(( $(date +%s%3N) - start ))" "$(rss_kib "$pid")" >> "$results"; sleep 10; done ) &
sampler=$!
emit soak bridgekeeper 1 "$(run_wrk bridgekeeper 2 8 "$soak" mixed 50)"
kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true

for t in bridgekeeper bridgekeeper-pg; do
  [ -n "${t_url[$t]:-}" ] || continue
  emit rows "$t" 1 "{\"interceptions\":$(audit_drain "$t" | cut -d' ' -f1)}"
done

# ---------------------------------------------------------------- report
cpu_model="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
[ -n "$cpu_model" ] || cpu_model="$(lscpu 2>/dev/null | awk -F': +' '/Model name/ {print $2; exit}')"
mem_gib="$(awk '/^MemTotal:/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
stamp="$(date +%Y-%m-%d-%H%M)"
mkdir -p "$here/results"
BENCH_META="$(node -e 'console.log(JSON.stringify({
  date: process.argv[1], nproc: process.argv[2], cpu: process.argv[3], mem_gib: process.argv[4], dotnet: process.argv[5],
  node: process.version, wrk: process.argv[6], nginx: process.argv[7], commit: process.argv[8], load: process.argv[9],
  duration: +process.argv[10], rounds: +process.argv[11], soak: +process.argv[12], streams: +process.argv[13],
  seq: +process.argv[14], pg_skip: process.argv[15], kernel: process.argv[16], load_start: process.argv[17]}))' \
  "$(date -u +'%Y-%m-%d %H:%M UTC')" "$(nproc)" "$cpu_model" "$mem_gib" \
  "$(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {v=$2} END {print v}'))" \
  "$(wrk -v 2>&1 | head -1 | awk '{print $2}')" "$("$nginx_bin" -v 2>&1 | sed 's/.*nginx\///')" \
  "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$duration" "$rounds" "$soak" "$streams" "$seq" "$(cat "$work/pg.skip" 2>/dev/null || true)" "$(uname -r)" "$load_start")" \
  bash -c 'printf "{\"kind\":\"meta\",\"target\":\"\",\"round\":0,\"data\":%s}\n" "$BENCH_META" >> "$1" && node "$2" "$1"' _ \
  "$results" "$here/node/report.js" > "$here/results/$stamp.md"
cp "$here/results/$stamp.md" "$here/results/latest.md"
cp "$results" "$here/results/$stamp.jsonl"
cat "$here/results/$stamp.md"
log "saved bench/results/$stamp.md (and latest.md, raw $stamp.jsonl)"
