#!/usr/bin/env bash
# The dashboard at size (issue 15: "every dashboard page answers in under 300 ms with 100,000 interceptions"), on
# SQLite and on PostgreSQL. For each database it seeds N interceptions (default 100,000: 20 member users, sessions of
# 25 interceptions, 30 days, a prompt and a priced token row each, a tool call every fifth, an injected MCP call every
# tenth) straight through sqlite3 or psql after the gateway's CLI has migrated it, runs ANALYZE, starts the gateway on
# it and times, with curl on loopback, the calls each /ui page makes: every call R times (interleaved rounds; best and
# median), and the page's API calls fired together as the page fires them. As admin, and as a member (user07) where
# the route allows it. Then it prints the query plans of the heaviest routes' SQL (SQLite: EXPLAIN QUERY PLAN;
# PostgreSQL: EXPLAIN (ANALYZE, BUFFERS)). PostgreSQL is a private throwaway server started as test.sh starts it.
# Writes bench/results/DATE-ui-at-size.md. Not a test and not part of bench/run.sh.
#
#   bench/ui-at-size.sh [--database sqlite|postgres|both] [--interceptions N] [--repeat R]
#   BENCH_KEEP=1 bench/ui-at-size.sh   # keep the work folder (SQLite file, gateway logs) and the stopped PostgreSQL data
#                                      # directory, to try indexes and queries on the same data afterwards
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
databases=both count=100000 repeat=7
while [ $# -gt 0 ]; do
  case "$1" in
    --database) databases="$2"; shift 2 ;;
    --interceptions) count="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$databases" in
  sqlite|postgres) ;;
  both) databases="sqlite postgres" ;;
  *) echo "--database must be sqlite, postgres or both; got '$databases'" >&2; exit 2 ;;
esac
# The pages below open the session of index 2006 (user07's) and its interceptions: 2007 sessions of 25 at least.
[ "$count" -ge 50200 ] || { echo "--interceptions must be at least 50200 (the measured session is number 2006)" >&2; exit 2; }
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3 >/dev/null
dotnet build -c Release "$repo/src/Bridgekeeper" -v q -nologo >/dev/null
bk="$repo/src/Bridgekeeper/bin/Release/net10.0/bridgekeeper"
work="$(mktemp -d /tmp/bk-ui-size.XXXXXX)"
gw="" pg_dir=""

stop_gateway() {
  if [ -n "$gw" ]; then kill "$gw" 2>/dev/null || true; wait "$gw" 2>/dev/null || true; gw=""; fi
}
cleanup() {
  stop_gateway
  stop_postgres
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A private PostgreSQL, as test.sh starts one (tools/throwaway-postgres.sh), on a free port from 26432 (away from
# test.sh's 25432, so a test run beside this one keeps its port). BENCH_KEEP=1 keeps its data directory.
. "$repo/tools/throwaway-postgres.sh"
[ -n "${BENCH_KEEP:-}" ] && keep_postgres=1
start_bench_postgres() {
  start_postgres "${BENCH_PG_PORT:-26432}" || return 1
  pg_version=$("$pg_bin/postgres" --version | awk '{print $3}')
}
pg() { "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$pg_url" "$@"; }

# Both seeds make the same rows with the same ids. Interception i (0 ≤ i < N) starts at (now − 30 days) + i·(30 days / N),
# belongs to session sess-(i / 25) of user(1 + (i / 25) mod 20), and has a prompt and a priced token row; every fifth has
# a tool call, every tenth's is an injected call of the MCP server "docs" and every fiftieth's failed (as did the
# interception). Ids are UUIDv7-shaped (48-bit milliseconds, version 7, a counter, the variant, a node that keeps each
# table's ids apart: i, i + 1e11 prompts, + 2e11 token rows, + 3e11 tool calls), so id order is time order.
mcp_url="http://127.0.0.1:9/mcp"
seed_sqlite() {
  sqlite3 "$1" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
CREATE TEMP TABLE seed AS
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $count)
SELECT i, (strftime('%s', 'now') - 30 * 86400) * 1000 + i * (30 * 86400000 / $count) AS ms FROM n;
CREATE TEMP TABLE ids AS
SELECT i, ms, printf('%08x-%04x-7%03x-%04x-%012x', ms >> 16, ms & 65535, i % 4096, 32768 + i % 16384, i) AS id,
       printf('%08x-%04x-7%03x-%04x-%012x', ms >> 16, ms & 65535, i % 4096, 32768 + i % 16384, i + 100000000000) AS prompt_id,
       printf('%08x-%04x-7%03x-%04x-%012x', ms >> 16, ms & 65535, i % 4096, 32768 + i % 16384, i + 200000000000) AS token_id,
       printf('%08x-%04x-7%03x-%04x-%012x', ms >> 16, ms & 65535, i % 4096, 32768 + i % 16384, i + 300000000000) AS tool_id,
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
SELECT prompt_id, id, printf('Seeded prompt %d: fix the failing test in module %d and explain the change.', i, i % 97), at FROM ids;
INSERT INTO token_usages (id, interception_id, response_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, extra, created_at, cost_usd)
SELECT token_id, id, printf('msg_%d', i), 1000 + i % 500, 200 + i % 100, 5000, 100, 0, '{}', at, 0.0123 FROM ids;
INSERT INTO tool_usages (id, interception_id, tool, tool_call_id, input, injected, server_url, result, error, created_at, duration_ms)
SELECT tool_id, id, CASE WHEN i % 10 = 0 THEN 'bmcp_docs_search' ELSE 'Bash' END, printf('toolu_%d', i), '{"command":"ls"}',
       i % 10 = 0, CASE WHEN i % 10 = 0 THEN '$mcp_url' END, CASE WHEN i % 50 <> 0 THEN 'ok' END,
       CASE WHEN i % 50 = 0 THEN 'connection refused' END, at, CASE WHEN i % 10 = 0 THEN 120 END
FROM ids WHERE i % 5 = 0;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
ANALYZE;
SQL
}

# PostgreSQL: the audit tables are partitioned by month on the interception id (PostgresPartitions). The migration
# created this month's partition and the next two; the seeded month(s) before it get theirs here, with the same
# bounds the gateway uses, as a gateway running through those months would have created them. Nothing lands in DEFAULT.
seed_postgres() {
  pg >/dev/null <<SQL
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.v7(ms bigint, seq bigint, node bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS \$\$
  SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || lpad(to_hex(seq % 4096), 3, '0') || '-'
          || to_hex(32768 + seq % 16384) || '-' || lpad(to_hex(node), 12, '0'))::uuid
  FROM (SELECT lpad(to_hex(ms), 12, '0') AS h) x
\$\$;
CREATE FUNCTION pg_temp.month_id(m timestamp) RETURNS text LANGUAGE sql IMMUTABLE AS \$\$
  SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-0000-0000-000000000000'
  FROM (SELECT lpad(to_hex((extract(epoch FROM m) * 1000)::bigint), 12, '0') AS h) x
\$\$;
CREATE TEMP TABLE seed AS
SELECT i, (floor(extract(epoch FROM now()))::bigint - 30 * 86400) * 1000 + i * (30::bigint * 86400000 / $count) AS ms
FROM generate_series(0, $count - 1) AS i;
DO \$\$
DECLARE m timestamp; t text;
BEGIN
  FOR m IN SELECT generate_series(date_trunc('month', (SELECT to_timestamp(min(ms) / 1000.0) FROM seed) AT TIME ZONE 'UTC'),
                                  date_trunc('month', now() AT TIME ZONE 'UTC'), interval '1 month') LOOP
    FOREACH t IN ARRAY ARRAY['interceptions', 'prompts', 'token_usages', 'tool_usages', 'thoughts'] LOOP
      EXECUTE format('CREATE TABLE IF NOT EXISTS %s PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                     t || to_char(m, '"_p"YYYYMM'), t, pg_temp.month_id(m), pg_temp.month_id(m + interval '1 month'));
    END LOOP;
  END LOOP;
END
\$\$;
BEGIN;
CREATE TEMP TABLE ids AS
SELECT i, ms, pg_temp.v7(ms, i, i) AS id, pg_temp.v7(ms, i, i + 100000000000) AS prompt_id,
       pg_temp.v7(ms, i, i + 200000000000) AS token_id, pg_temp.v7(ms, i, i + 300000000000) AS tool_id,
       to_timestamp(ms / 1000.0) AS at
FROM seed;
INSERT INTO interceptions (id, user_id, provider, provider_type, model, client, user_agent, session_id, streaming, status, error, started_at, ended_at, metadata)
SELECT ids.id, u.id,
       CASE WHEN i % 3 = 0 THEN 'openai' ELSE 'anthropic' END, CASE WHEN i % 3 = 0 THEN 'openai' ELSE 'anthropic' END,
       CASE i % 3 WHEN 0 THEN 'gpt-5' WHEN 1 THEN 'claude-sonnet-4-5' ELSE 'claude-haiku-4-5' END,
       CASE WHEN i % 3 = 0 THEN 'Codex' ELSE 'Claude Code' END, 'seed/1.0', 'sess-' || lpad((i / 25)::text, 6, '0'), true,
       CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'completed' END, NULL, at, at, '{}'
FROM ids JOIN users u ON u.name = 'user' || lpad((1 + (i / 25) % 20)::text, 2, '0')
ORDER BY ids.id;
INSERT INTO prompts (id, interception_id, prompt, created_at)
SELECT prompt_id, id, format('Seeded prompt %s: fix the failing test in module %s and explain the change.', i, i % 97), at FROM ids ORDER BY id;
INSERT INTO token_usages (id, interception_id, response_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, extra, created_at, cost_usd)
SELECT token_id, id, 'msg_' || i, 1000 + i % 500, 200 + i % 100, 5000, 100, 0, '{}', at, 0.0123 FROM ids ORDER BY id;
INSERT INTO tool_usages (id, interception_id, tool, tool_call_id, input, injected, server_url, result, error, created_at, duration_ms)
SELECT tool_id, id, CASE WHEN i % 10 = 0 THEN 'bmcp_docs_search' ELSE 'Bash' END, 'toolu_' || i, '{"command":"ls"}',
       i % 10 = 0, CASE WHEN i % 10 = 0 THEN '$mcp_url' END, CASE WHEN i % 50 <> 0 THEN 'ok' END,
       CASE WHEN i % 50 = 0 THEN 'connection refused' END, at, CASE WHEN i % 10 = 0 THEN 120 END
FROM ids WHERE i % 5 = 0 ORDER BY id;
COMMIT;
VACUUM ANALYZE;
SQL
}

ms() { awk -v t="$1" 'BEGIN { printf "%.1f", t * 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%s", v[int((NR + 1) / 2)] }'; }
best() { sort -n | head -1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# One page: measure_page LABEL KEY FULL PATH... . FULL=yes for a page load (the shell, /ui, then GET /api/v1/session,
# then the page's calls, which the page fires together); no for an action inside a page (next page, CSV export). Each
# round calls every path once in turn, then fires the page's own calls together (curl --parallel; the slowest of them
# is the round's "together" time). Appends a table row to rows.
measure_page() {
  local label=$1 key=$2 full=$3; shift 3
  local page_calls=("$@") calls=("$@")
  [ "$full" = yes ] && calls=("/ui" "/api/v1/session" "$@")
  local -a samples=() together=()
  local r idx status bytes t
  for r in $(seq "$repeat"); do
    for idx in "${!calls[@]}"; do
      read -r status bytes t < <(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' \
        -H "Authorization: Bearer $key" "$base${calls[$idx]}")
      [ "$status" = 200 ] || { echo "${calls[$idx]} answered $status" >&2; exit 1; }
      samples[$idx]+="$t "
    done
    local args=() p
    for p in "${page_calls[@]}"; do args+=(-o /dev/null "$base$p"); done
    local out; out=$(curl -s --no-progress-meter -Z --parallel-immediate --parallel-max 6 -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $key" "${args[@]}")
    ! grep -qv '^200 ' <<<"$out" || { echo "$label: a call fired together did not answer 200: $out" >&2; exit 1; }
    together+=("$(awk '{ print $2 }' <<<"$out" | sort -n | tail -1)")
  done
  local slow_idx=0 slow_med=0 sum=0 med fixed=0
  for idx in "${!calls[@]}"; do
    med=$(tr ' ' '\n' <<<"${samples[$idx]}" | grep . | median)
    sum=$(awk -v a="$sum" -v b="$med" 'BEGIN { print a + b }')
    if [ "$full" = yes ] && [ "$idx" -lt 2 ]; then fixed=$(awk -v a="$fixed" -v b="$med" 'BEGIN { print a + b }'); continue; fi
    if awk -v a="$med" -v b="$slow_med" 'BEGIN { exit !(a > b) }'; then slow_idx=$idx slow_med=$med; fi
  done
  local slow_best; slow_best=$(tr ' ' '\n' <<<"${samples[$slow_idx]}" | grep . | best)
  local tog; tog=$(awk -v a="$fixed" -v b="$(printf '%s\n' "${together[@]}" | median)" 'BEGIN { print a + b }')
  local verdict=yes
  if awk -v s="$sum" 'BEGIN { exit !(s >= 0.3) }'; then
    verdict="**no**"
    awk -v s="$tog" 'BEGIN { exit !(s < 0.3) }' && verdict="**no** (sum); yes fired together"
  fi
  # Shown without the /api/v1 prefix, a cursor as CURSOR; a page load's first two calls as "shell, session".
  local listed="" p
  [ "$full" = yes ] && listed="shell, session, "
  for p in "${page_calls[@]}"; do listed+="\`$(shown "$p")\`, "; done
  rows+=("| $label | ${listed%, } | \`$(shown "${calls[$slow_idx]}")\` | $(ms "$slow_best") | $(ms "$slow_med") | $(ms "$sum") | $(ms "$tog") | $verdict |")
}

shown() { sed -e 's|^/api/v1||' -e 's|cursor=[0-9a-f]*|cursor=CURSOR|' <<<"$1"; }
json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

measure_pages() {  # $1 database name; fills rows
  local who key
  local mid_session=sess-002006    # user07's, in the middle of the data
  local first_id own_id
  first_id=$(curl -s -H "Authorization: Bearer $admin" "$base/api/v1/sessions/$mid_session?user=user07&limit=1" | json_field 'd["interceptions"][0]["id"]')
  own_id=$first_id
  rows=()
  for _ in 1 2 3; do   # JIT and caches warm-up
    for p in /ui /api/v1/session "/api/v1/usage?group_by=day&since=7d" "/api/v1/sessions?limit=50" "/api/v1/interceptions?limit=50"; do
      curl -s -o /dev/null -H "Authorization: Bearer $admin" "$base$p"
    done
  done
  for who in admin member; do
    if [ "$who" = admin ]; then key=$admin; else key=$member; fi
    local s_cursor i_cursor
    s_cursor=$(curl -s -H "Authorization: Bearer $key" "$base/api/v1/sessions?limit=50" | json_field 'd["next_cursor"]')
    i_cursor=$(curl -s -H "Authorization: Bearer $key" "$base/api/v1/interceptions?limit=50" | json_field 'd["next_cursor"]')
    local range since_q
    for range in 24h 7d 30d 90d all; do
      if [ "$who" = member ] && [ "$range" != 7d ] && [ "$range" != all ]; then continue; fi
      since_q="&since=$range"; [ "$range" = all ] && since_q=""
      local bucket=day; [ "$range" = 24h ] && bucket=hour
      measure_page "$who: overview ($range)" "$key" yes "/api/v1/usage/summary?bucket=$bucket$since_q"
    done
    # Spend reads the same summary (its per-user and per-model lists).
    measure_page "$who: spend (7d)" "$key" yes "/api/v1/usage/summary?bucket=day&since=7d"
    measure_page "$who: spend (all)" "$key" yes "/api/v1/usage/summary?bucket=day"
    measure_page "$who: spend, CSV export (7d)" "$key" no "/api/v1/usage?group_by=user&since=7d&format=csv"
    measure_page "$who: sessions" "$key" yes "/api/v1/sessions?limit=50"
    measure_page "$who: sessions, next page" "$key" no "/api/v1/sessions?limit=50&cursor=$s_cursor"
    if [ "$who" = admin ]; then measure_page "$who: sessions of user07" "$key" yes "/api/v1/sessions?user=user07&limit=50"; fi
    measure_page "$who: one session ($mid_session)" "$key" yes "/api/v1/sessions/$mid_session?user=user07&limit=50"
    measure_page "$who: interceptions" "$key" yes "/api/v1/interceptions?limit=50"
    measure_page "$who: interceptions, next page" "$key" no "/api/v1/interceptions?limit=50&cursor=$i_cursor"
    if [ "$who" = admin ]; then measure_page "$who: interceptions of user07" "$key" yes "/api/v1/interceptions?user=user07&limit=50"; fi
    measure_page "$who: interceptions of gpt-5" "$key" yes "/api/v1/interceptions?model=gpt-5&limit=50"
    measure_page "$who: interceptions, last 24h" "$key" yes "/api/v1/interceptions?since=24h&limit=50"
    measure_page "$who: one interception" "$key" yes "/api/v1/interceptions/$own_id"
    measure_page "$who: MCP servers (7d)" "$key" yes "/api/v1/mcp/servers?since=7d"
    # Users and keys is for admins (a member's page shows nothing and the routes answer 403).
    if [ "$who" = admin ]; then measure_page "$who: users and keys" "$key" yes "/api/v1/users" "/api/v1/users/user07/keys"; fi
  done
  # The MCP page must have counted the seeded injected calls, or its aggregation was not exercised.
  calls_7d=$(curl -s -H "Authorization: Bearer $admin" "$base/api/v1/mcp/servers?since=7d" | json_field '", ".join(str(d["servers"][0][k]) for k in ("calls", "failures", "status"))')
}

# The SQL behind the heaviest routes, as AuditStore.UsageSummaryAsync / UsageAsync / InjectedCallsAsync and SessionStore.SummariesAsync /
# PerGroupAsync build it, with the parameters substituted. $1: sqlite or postgres.
since_7d_text=$(date -u -d '7 days ago' +%Y-%m-%dT%H:%M:%S.%6NZ)
plan_queries() {
  local db=$1 day since member_id s_list
  if [ "$db" = sqlite ]; then
    day="substr(i.started_at, 1, 10)" since="'$since_7d_text'" min_id="MIN(i.id)"
    member_id="'$(sqlite3 "$sqlite_path" "SELECT id FROM users WHERE name = 'user07'")'"
  else
    day="(i.started_at AT TIME ZONE 'UTC')::date" since="'$since_7d_text'::timestamptz" min_id="MIN(i.id::text COLLATE \"C\")::uuid"
    member_id="'$(pg -At -c "SELECT id FROM users WHERE name = 'user07'")'::uuid"
  fi
  s_list=$(seq $((count / 25 - 50)) $((count / 25 - 1)) | awk '{ printf "%s'\''sess-%06d'\''", (NR > 1 ? ", " : ""), $1 }')
  # since=7d as the gateway binds it: the time and the smallest UUIDv7 of its millisecond (SqlWhere.Between).
  local ms hex since_id
  ms=$(date -u -d "$since_7d_text" +%s%3N); hex=$(printf '%012x' "$ms")
  since_id="'${hex:0:8}-${hex:8:4}-7000-8000-000000000000'"; [ "$db" = postgres ] && since_id="$since_id::uuid"
  local sums="COUNT(*), SUM(i.input_tokens), SUM(i.output_tokens), SUM(i.cache_read_tokens), SUM(i.cache_write_tokens), SUM(i.reasoning_tokens), SUM(i.priced_cost_e10), SUM(i.priced_rows), SUM(i.token_rows), SUM(CASE WHEN i.token_rows > i.priced_rows THEN 1 ELSE 0 END)"
  local ranged="WHERE i.started_at >= $since AND i.id >= $since_id"
  usage() {  # $1 key, $2 where: AuditStore.UsageAsync (the CSV export)
    echo "SELECT $1, $sums FROM interceptions i LEFT JOIN users u ON u.id = i.user_id $2 GROUP BY $1 ORDER BY $1"
  }
  summary() {  # $1 where: AuditStore.UsageSummaryAsync (the overview and spend pages)
    echo "SELECT g.k0, g.k1, g.k2, g.k3, COALESCE(u.name, ''), g.s0, g.s1, g.s2, g.s3, g.s4, g.s5, g.s6, g.s7, g.s8, g.s9 FROM (SELECT $day AS k0, i.provider AS k1, i.model AS k2, i.client AS k3, i.user_id AS k4, COUNT(*) AS s0, SUM(i.input_tokens) AS s1, SUM(i.output_tokens) AS s2, SUM(i.cache_read_tokens) AS s3, SUM(i.cache_write_tokens) AS s4, SUM(i.reasoning_tokens) AS s5, SUM(i.priced_cost_e10) AS s6, SUM(i.priced_rows) AS s7, SUM(i.token_rows) AS s8, SUM(CASE WHEN i.token_rows > i.priced_rows THEN 1 ELSE 0 END) AS s9 FROM interceptions i $1 GROUP BY 1, 2, 3, 4, 5) g LEFT JOIN users u ON u.id = g.k4"
  }
  printf '%s\t%s\n' \
    "summary (overview, spend), 7d" "$(summary "$ranged")" \
    "summary (overview, spend), all time" "$(summary "")" \
    "member (user07): summary, all time" "$(summary "WHERE i.user_id = $member_id")" \
    "usage by user, 7d (the CSV export)" "$(usage "COALESCE(u.name, '')" "$ranged")" \
    "sessions, first page: the groups" "WITH s AS (SELECT i.session_id AS session_id, i.user_id AS user_id, $min_id AS first_id, COUNT(*) AS total, SUM(CASE WHEN i.status = 'failed' THEN 1 ELSE 0 END) AS failed, MIN(i.started_at) AS first_at, MAX(COALESCE(i.ended_at, i.started_at)) AS last_at FROM interceptions i WHERE i.session_id IS NOT NULL GROUP BY i.session_id, i.user_id ORDER BY first_id DESC LIMIT 51) SELECT s.session_id, s.user_id, u.name, f.client, s.first_id, s.total, s.failed, s.first_at, s.last_at FROM s JOIN interceptions f ON f.id = s.first_id LEFT JOIN users u ON u.id = s.user_id ORDER BY s.first_id DESC" \
    "sessions, first page: the 50 sessions' token rows" "SELECT i.session_id, i.user_id, COALESCE(SUM(t.input_tokens), 0), COALESCE(SUM(t.output_tokens), 0), COALESCE(SUM(t.cache_read_tokens), 0), COALESCE(SUM(t.cache_write_tokens), 0), COALESCE(SUM(t.reasoning_tokens), 0), SUM(t.cost_usd), COUNT(t.id), COUNT(DISTINCT CASE WHEN t.cost_usd IS NULL THEN i.id END) FROM interceptions i JOIN token_usages t ON t.interception_id = i.id WHERE i.session_id IS NOT NULL AND i.session_id IN ($s_list) GROUP BY i.session_id, i.user_id" \
    "MCP servers: injected calls, 7d" "SELECT t.server_url, COUNT(*), COUNT(t.error) FROM tool_usages t JOIN interceptions i ON i.id = t.interception_id WHERE t.injected AND i.started_at >= $since GROUP BY t.server_url"
}

# A PostgreSQL plan without the scans of empty partitions (the months ahead, DEFAULT) and what hangs under them, cut
# at 60 lines but keeping the planning and execution times.
trim_plan() {
  awk 'BEGIN { skip = -1 }
    { match($0, /^ */); indent = RLENGTH }
    skip >= 0 && indent > skip { next }
    { skip = -1 }
    /Scan on [a-z_]+_p(default|[0-9]+) .*rows=0 loops=/ { skip = indent; dropped++; next }
    { lines[++n] = $0 }
    END {
      for (i = 1; i <= n; i++) if (i <= 60 || lines[i] ~ /^(Planning|Execution) Time/) print lines[i]; else cut++
      if (cut) print "(" cut " more lines cut)"
      if (dropped) print "(" dropped " scans of empty partitions left out)"
    }'
}

# Appends each query's plan to plans (SQLite: EXPLAIN QUERY PLAN and the query's run time in the sqlite3 shell, best
# of 3; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) without costs, the second run, trimmed).
explain_all() {
  local db=$1 name sql plan
  plans=()
  while IFS=$'\t' read -r name sql; do
    if [ "$db" = sqlite ]; then
      plan=$(sqlite3 "$sqlite_path" "EXPLAIN QUERY PLAN $sql" </dev/null)
      local run; run=$(for _ in 1 2 3; do printf '.timer on\n%s;\n' "$sql" | sqlite3 "$sqlite_path" | awk '/^Run Time/ { print $4 }'; done | best)
      plan+=$'\n'"(query run time in the sqlite3 shell, best of 3: $(ms "$run") ms)"
    else
      pg -c "EXPLAIN (ANALYZE, BUFFERS) $sql" </dev/null >/dev/null
      plan=$(pg -At -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $sql" </dev/null | trim_plan)
    fi
    plans+=("#### $name" "" '```sql' "$sql" '```' "" '```' "$plan" '```' "")
  done < <(plan_queries "$db")
}

start_gateway() {
  local port; port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  BRIDGEKEEPER_HTTP_ADDRESS="127.0.0.1:$port" BRIDGEKEEPER_SECRET_KEY="$(head -c 32 /dev/urandom | base64)" \
    BRIDGEKEEPER_MCP_0_NAME=docs BRIDGEKEEPER_MCP_0_URL="$mcp_url" "$bk" server >"$work/gateway-$1.log" 2>&1 &
  gw=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 150); do curl -sf -o /dev/null "$base/readyz" && return 0; sleep 0.2; done
  echo "the gateway did not become ready on $1:" >&2; tail -20 "$work/gateway-$1.log" >&2; exit 1
}

stamp=$(date -u +%Y-%m-%d-%H%M)
out="$here/results/$stamp-ui-at-size.md"
report=()
for db in $databases; do
  if [ "$db" = sqlite ]; then
    sqlite_path="$work/bridgekeeper.db"
    export BRIDGEKEEPER_DATABASE="$sqlite_path"
    engine="SQLite $(sqlite3 --version | awk '{ print $1 }') (the gateway's own Microsoft.Data.Sqlite build answers the routes)"
  else
    start_bench_postgres || { echo "PostgreSQL did not start (needs $pg_bin and root or the postgres user)" >&2; exit 1; }
    export BRIDGEKEEPER_DATABASE="$pg_url"
    engine="PostgreSQL $pg_version, a private server (fsync off, default shared_buffers)"
  fi
  echo "== $db: migrating, creating users and keys, seeding $count interceptions" >&2
  "$bk" users create admin --role admin >/dev/null
  admin="$("$bk" keys create admin)"
  for u in $(seq -w 1 20); do "$bk" users create "user$u" --role member >/dev/null; done
  member="$("$bk" keys create user07)"
  seed_started=$(date +%s.%N)
  "seed_$db" "$BRIDGEKEEPER_DATABASE"
  seed_seconds=$(awk -v a="$seed_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  if [ "$db" = sqlite ]; then
    size="database file $(du -h "$sqlite_path" | cut -f1)"
    counts=$(sqlite3 "$sqlite_path" "SELECT (SELECT COUNT(*) FROM interceptions) || ' interceptions, ' || (SELECT COUNT(*) FROM prompts) || ' prompts, ' || (SELECT COUNT(*) FROM token_usages) || ' token rows, ' || (SELECT COUNT(*) FROM tool_usages) || ' tool calls'")
  else
    size="database $(pg -At -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
    counts=$(pg -At -c "SELECT (SELECT COUNT(*) FROM interceptions) || ' interceptions (' || (SELECT COUNT(*) FROM interceptions_pdefault) || ' in DEFAULT), ' || (SELECT COUNT(*) FROM prompts) || ' prompts, ' || (SELECT COUNT(*) FROM token_usages) || ' token rows, ' || (SELECT COUNT(*) FROM tool_usages) || ' tool calls; partitions: ' || (SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = 'interceptions'::regclass)")
  fi
  start_gateway "$db"
  echo "== $db: measuring pages" >&2
  load_start=$(load)
  measure_pages "$db"
  load_end=$(load)
  stop_gateway
  echo "== $db: query plans" >&2
  load_plans_start=$(load)
  explain_all "$db"
  load_plans_end=$(load)
  report+=("## $( [ "$db" = sqlite ] && echo SQLite || echo PostgreSQL )" ""
    "$engine. Seeded: $counts in $seed_seconds s, then ANALYZE; $size. Load average at the start of the pages: $load_start; at the end: $load_end. The MCP page counted (calls, failures, status) = ($calls_7d) for 7 days."
    ""
    "| page | calls | slowest call | best (ms) | median (ms) | sum of medians (ms) | fired together (ms) | under 300 ms |"
    "|---|---|---|---:|---:|---:|---:|---|"
    "${rows[@]}" "" "### Query plans" "" "Load average at the start of the plans: $load_plans_start; at the end: $load_plans_end." "" "${plans[@]}")
  if [ "$db" = postgres ]; then stop_postgres; fi
  unset BRIDGEKEEPER_DATABASE
done

{
  echo "# The dashboard at size — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "\`bench/ui-at-size.sh --database $(tr ' ' ',' <<<"$databases") --interceptions $count --repeat $repeat\` on commit \`$(git -C "$repo" rev-parse --short HEAD)\`."
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/^Mem:/ { print $2 }') GiB memory, shared with other work (see the load averages)."
  echo
  echo "Data: $count interceptions over the last 30 days (20 member users; $((count / 25)) sessions of 25, each one user's; models gpt-5, claude-sonnet-4-5 and claude-haiku-4-5 in turn; a prompt and a priced token row each; a tool call every fifth, every tenth an injected call of the MCP server \`docs\` at \`$mcp_url\`, one in five of those failed). The same rows, with the same ids, on both databases. The gateway runs with that MCP server configured (it is down, so the page shows it so) and keys: an admin's, and user07's (a member)."
  echo
  echo "How a page is timed: curl's total time per call on loopback (request sent to last byte received), with \`Authorization: Bearer\` (the dashboard sends the same routes with its cookie). A page load is the shell \`/ui\`, then \`GET /api/v1/session\`, then the page's calls, which the page fires together; an action inside a page (the next page, a CSV export) is its call alone. Each of $repeat rounds calls every path once in turn (best and median per call, the slowest call being the one with the highest median), then fires the page's calls together with \`curl --parallel\`. *Sum of medians* is every call of the page one after another (an upper bound of the server's work); *fired together* is the shell's and /session's medians plus the median, over the rounds, of the slowest call when the page's calls are fired together as the browser fires them (they share the 2 cores). *Under 300 ms* is judged on the sum of medians."
  echo
  printf '%s\n' "${report[@]}"
} > "$out"
echo "wrote $out" >&2
