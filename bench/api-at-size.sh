#!/usr/bin/env bash
# The REST API at size (issue 15, item 4): seeds a SQLite database with N interceptions (default 100,000: 20 users,
# sessions of 25 interceptions, 30 days, a prompt and a priced token row each, a tool call every fifth) straight
# through sqlite3 after the gateway has migrated it, starts the gateway on it, and times every read route the
# dashboard will use with curl (server answer to last byte, on loopback), as admin and as a member: best and median of
# R calls. Writes bench/results/DATE-api-at-size.md. Not a test and not part of bench/run.sh.
#
#   bench/api-at-size.sh [--interceptions N] [--repeat R]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
count=100000 repeat=7
while [ $# -gt 0 ]; do
  case "$1" in
    --interceptions) count="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3 >/dev/null
dotnet build -c Release "$repo/src/Bridgekeeper" -v q -nologo >/dev/null
bk="$repo/src/Bridgekeeper/bin/Release/net10.0/bridgekeeper"
work="$(mktemp -d /tmp/bk-api-size.XXXXXX)"; gw=""
trap '[ -n "$gw" ] && kill "$gw" 2>/dev/null; rm -rf "$work"' EXIT
export BRIDGEKEEPER_DATABASE="$work/bridgekeeper.db"

"$bk" users create admin --role admin >/dev/null
admin="$("$bk" keys create admin)"
for u in $(seq -w 1 20); do "$bk" users create "user$u" --role member >/dev/null; done
member="$("$bk" keys create user07)"

# UUIDv7-shaped text ids in time order (48-bit milliseconds first), timestamps in the gateway's fixed-width UTC text.
seed_started=$(date +%s.%N)
sqlite3 "$BRIDGEKEEPER_DATABASE" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
CREATE TEMP TABLE seed AS
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $count)
SELECT i, (strftime('%s', 'now') - 30 * 86400) * 1000 + i * (30 * 86400000 / $count) AS ms FROM n;
CREATE TEMP TABLE ids AS
SELECT i, ms, printf('%08x-%04x-7%03x-%04x-%012x', ms >> 16, ms & 65535, i % 4096, 32768 + i % 16384, i) AS id,
       printf('%08x-%04x-7%03x-%04x-%012x', ms >> 16, ms & 65535, i % 4096, 32768 + i % 16384, i + 100000000000) AS child,
       strftime('%Y-%m-%dT%H:%M:%f', ms / 1000.0, 'unixepoch') || '000Z' AS at
FROM seed;
INSERT INTO interceptions (id, user_id, provider, provider_type, model, client, user_agent, session_id, streaming, status, error, started_at, ended_at, metadata)
SELECT ids.id, (SELECT id FROM users WHERE name = printf('user%02d', 1 + (i / 25) % 20)),
       CASE WHEN i % 3 = 0 THEN 'openai' ELSE 'anthropic' END, CASE WHEN i % 3 = 0 THEN 'openai' ELSE 'anthropic' END,
       CASE i % 3 WHEN 0 THEN 'gpt-5' WHEN 1 THEN 'claude-sonnet-4-5' ELSE 'claude-haiku-4-5' END,
       CASE WHEN i % 3 = 0 THEN 'Codex' ELSE 'Claude Code' END, 'seed/1.0', printf('sess-%06d', i / 25), 1,
       CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'completed' END, NULL, at, at, '{}'
FROM ids;
INSERT INTO prompts (id, interception_id, prompt, created_at)
SELECT child, id, printf('Seeded prompt %d: fix the failing test in module %d and explain the change.', i, i % 97), at FROM ids;
INSERT INTO token_usages (id, interception_id, response_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, extra, created_at, cost_usd)
SELECT replace(child, '-7', '-8'), id, printf('msg_%d', i), 1000 + i % 500, 200 + i % 100, 5000, 100, 0, '{}', at, 0.0123 FROM ids;
INSERT INTO tool_usages (id, interception_id, tool, tool_call_id, input, injected, server_url, result, error, created_at)
SELECT replace(child, '-7', '-9'), id, CASE WHEN i % 10 = 0 THEN 'bmcp_docs_search' ELSE 'Bash' END, printf('toolu_%d', i), '{"command":"ls"}',
       i % 10 = 0, NULL, NULL, NULL, at FROM ids WHERE i % 5 = 0;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
ANALYZE;
SQL
seed_seconds=$(awk -v a="$seed_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')

port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
BRIDGEKEEPER_HTTP_ADDRESS="127.0.0.1:$port" BRIDGEKEEPER_SECRET_KEY="$(head -c 32 /dev/urandom | base64)" "$bk" server > "$work/gateway.log" 2>&1 &
gw=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.2; done
base="http://127.0.0.1:$port"
session=$(curl -s -H "Authorization: Bearer $admin" "$base/api/v1/sessions?limit=1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["sessions"][0]["id"])')

rows=()
time_route() {  # $1 label, $2 key, $3 path
  local times=() status bytes
  for _ in $(seq "$repeat"); do
    read -r status bytes t < <(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' -H "Authorization: Bearer $2" "$base$3")
    [ "$status" = 200 ] || { echo "$3 answered $status" >&2; exit 1; }
    times+=("$t")
  done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  local best median; best=$(head -1 <<<"$sorted"); median=$(sed -n "$(( (repeat + 1) / 2 ))p" <<<"$sorted")
  rows+=("| $1 | \`$3\` | $(awk -v t="$best" 'BEGIN { printf "%.1f", t * 1000 }') | $(awk -v t="$median" 'BEGIN { printf "%.1f", t * 1000 }') | $bytes |")
}
for _ in 1 2; do curl -s -o /dev/null -H "Authorization: Bearer $admin" "$base/api/v1/sessions"; done   # JIT warm-up
time_route "admin: interceptions, first page" "$admin" "/api/v1/interceptions"
time_route "admin: interceptions of one user" "$admin" "/api/v1/interceptions?user=user07"
time_route "admin: interceptions of one model, last 7 days" "$admin" "/api/v1/interceptions?model=gpt-5&since=7d"
time_route "admin: sessions, first page" "$admin" "/api/v1/sessions"
time_route "admin: sessions of one client, last 7 days" "$admin" "/api/v1/sessions?client=Codex&since=7d"
time_route "admin: one session's thread" "$admin" "/api/v1/sessions/$session"
time_route "admin: usage by user" "$admin" "/api/v1/usage?group_by=user"
time_route "admin: usage by model, last 7 days" "$admin" "/api/v1/usage?group_by=model&since=7d"
time_route "admin: usage by day" "$admin" "/api/v1/usage?group_by=day"
time_route "member: own interceptions" "$member" "/api/v1/interceptions"
time_route "member: own sessions" "$member" "/api/v1/sessions"
time_route "member: own usage by day" "$member" "/api/v1/usage?group_by=day"

stamp=$(date -u +%Y-%m-%d-%H%M)
out="$here/results/$stamp-api-at-size.md"
{
  echo "# The REST API at size — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "\`bench/api-at-size.sh --interceptions $count --repeat $repeat\`: SQLite, $count interceptions (20 users, $((count / 25)) sessions of 25, 30 days, a prompt and a priced token row each, a tool call every fifth; seeded in $seed_seconds s), the gateway on loopback, curl's total time per call (best and median of $repeat). $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg). Commit \`$(git -C "$repo" rev-parse --short HEAD)\`."
  echo
  echo "| call | route | best (ms) | median (ms) | bytes |"
  echo "|---|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} > "$out"
cat "$out"
