#!/usr/bin/env bash
# Profiles Bridgekeeper's hot path under load (issue 6: "profile the hot path"): starts the mock upstream and the gateway
# (auth and audit on, SQLite), drives non-streaming chat completions with wrk at c=32, records the gateway with
# `perf record -g` (JIT frames resolved through a perf map), and prints the gateway's CPU per request and its top frames.
# Not a test and not part of bench/run.sh.
#
#   bench/profile.sh [--mode blocking|stream|mixed] [--seconds N]
#
# Needs root (perf, apt), wrk and linux-perf (installed from apt when missing), and the .NET 10 SDK.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
mode=blocking seconds=10
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
need=(); command -v wrk >/dev/null || need+=(wrk); command -v perf >/dev/null || need+=(linux-perf)
if [ ${#need[@]} -gt 0 ]; then   # a fresh machine's package lists may be empty: then once more after an update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null; }
fi
dotnet build -c Release "$repo/src/Bridgekeeper" -v q -nologo >/dev/null
bk="$repo/src/Bridgekeeper/bin/Release/net10.0/bridgekeeper"

work="$(mktemp -d /tmp/bk-profile.XXXXXX)"; pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
mock_port=$(port); bk_port=$(port)
"$bk" mock-upstream --http-address "127.0.0.1:$mock_port" > "$work/mock.log" 2>&1 & pids+=($!)
export BRIDGEKEEPER_DATABASE="$work/bridgekeeper.db"
"$bk" users create bench --role member >/dev/null
key="$("$bk" keys create bench)"
# ReadyToRun off and W^X off so that every managed frame is jitted into the perf map with its name.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 \
  BRIDGEKEEPER_HTTP_ADDRESS="127.0.0.1:$bk_port" BRIDGEKEEPER_OPENAI_BASE_URL="http://127.0.0.1:$mock_port/openai/v1/" \
  BRIDGEKEEPER_OPENAI_KEY=bench BRIDGEKEEPER_SECRET_KEY="$(head -c 32 /dev/urandom | base64)" \
  "$bk" server > "$work/gateway.log" 2>&1 & gw=$!; pids+=("$gw")
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$bk_port/readyz" && break; sleep 0.2; done

load() { BENCH_KEY="$key" BENCH_MODE="$mode" wrk -t2 -c32 -d"$1s" -s "$here/lua/chat.lua" "http://127.0.0.1:$bk_port" 2>/dev/null | grep '^BENCH' || true; }
load 8 >/dev/null                                               # warm-up: tiered JIT settles
cpu0=$(awk '{print $14+$15}' "/proc/$gw/stat")
load $((seconds + 2)) > "$work/wrk.txt" &
loader=$!
sleep 1
perf record -F 999 -g -p "$gw" -o "$work/perf.data" -- sleep "$seconds" >/dev/null 2>&1
wait "$loader"
cpu1=$(awk '{print $14+$15}' "/proc/$gw/stat")
cat "$work/wrk.txt"
rps=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' "$work/wrk.txt")
echo "gateway CPU per request: $(awk -v a="$cpu0" -v b="$cpu1" -v r="$rps" -v s="$((seconds + 2))" 'BEGIN { printf "%.1f µs", (b - a) * 10000 / (r * s) }')"
echo; echo "## CPU by module"
perf report -i "$work/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -10
echo; echo "## Top frames, inclusive (children)"
perf report -i "$work/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
  | grep -E 'bridgekeeper\]|Kestrel|System.Net.Http|Sqlite|Npgsql|OpenTelemetry|\[k\] __x64_sys' | cut -c1-200 | head -40
echo; echo "perf data and logs: $work"
trap - EXIT; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
