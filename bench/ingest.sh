#!/usr/bin/env bash
# Audit ingest: interceptions (with their prompt, token-usage, tool and thought rows) landed per second by
# AuditStore.AppendAsync, batch after batch as the audit writer sends them, on SQLite and PostgreSQL. Compares the
# Storage code of this checkout ("new") with that of an older commit ("old", BENCH_INGEST_BASE) side by side, and
# with --indexes measures what each secondary index of `interceptions` costs the new writer. Rounds interleave the
# sides; each figure is the best round (the machine is small and shared). Writes bench/results/DATE-ingest.md.
#
#   bench/ingest.sh [--rounds N] [--interceptions N] [--indexes]
#   BENCH_INGEST_BASE=<commit>           the old side (default b97683e: the unnest writer, boxed SQLite binder)
#   BENCH_POSTGRES=postgres://u@h:p/db   an existing server (any database on it; one fresh database per run is made)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 interceptions=50000 indexes=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --interceptions) interceptions=$2; shift 2 ;;
    --indexes) indexes=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
base=${BENCH_INGEST_BASE:-b97683e}
work=$(mktemp -d /tmp/bk-ingest.XXXXXX)
pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)}
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then su postgres -c "$pg_bin/pg_ctl -D $pg_dir/data -m immediate stop" >/dev/null 2>&1 || true; fi
  rm -rf "$work" "$pg_dir"
}
trap cleanup EXIT

# The two sides: this checkout's Storage and the base commit's, each compiled into a copy of bench/Ingest.
build() {  # $1: side, $2: gateway source folder
  mkdir -p "$work/$1"
  cp bench/Ingest/Ingest.csproj bench/Ingest/Program.cs "$work/$1/"
  dotnet build "$work/$1/Ingest.csproj" -c Release -p:GatewaySource="$2" -o "$work/$1/bin" >"$work/$1/build.log" 2>&1 || {
    cat "$work/$1/build.log"; exit 1; }
}
mkdir -p "$work/base"
git archive "$base" src/Bridgekeeper/Storage src/Bridgekeeper/Settings | tar -x -C "$work/base"
build new "$PWD/src/Bridgekeeper"
[ "$indexes" = 1 ] || build old "$work/base/src/Bridgekeeper"

# PostgreSQL: the given server, or a private one as test.sh starts it (root: su postgres; a free port).
if [ -n "${BENCH_POSTGRES:-}" ]; then
  pg_url=${BENCH_POSTGRES%/*}
else
  port=27432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  pg_dir=$(mktemp -d /tmp/bk-ingest-pg.XXXXXX)
  chown postgres:postgres "$pg_dir" && chmod 700 "$pg_dir"
  su postgres -c "$pg_bin/initdb -D $pg_dir/data -A trust -U postgres -E UTF8 --no-locale" >"$pg_dir/initdb.log" 2>&1
  printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n" \
    "$port" "$pg_dir" >>"$pg_dir/data/postgresql.conf"
  su postgres -c "$pg_bin/pg_ctl -D $pg_dir/data -l $pg_dir/log -w start" >/dev/null
  pg_url="postgres://postgres@127.0.0.1:$port"
fi
run=0
measure() {  # $1: side, $2: sqlite|postgres, $3: label, $4: indexes to drop
  run=$((run + 1))
  local database="$work/ingest-$run.db"
  if [ "$2" = postgres ]; then
    "$pg_bin/psql" -q "$pg_url/postgres" -c "CREATE DATABASE ingest_$run"
    database="$pg_url/ingest_$run"
  fi
  "$work/$1/bin/Ingest" --database "$database" --interceptions "$interceptions" --label "$3" --drop-index "$4" | tee -a "$work/results.jsonl"
  if [ "$2" = postgres ]; then "$pg_bin/psql" -q "$pg_url/postgres" -c "DROP DATABASE ingest_$run"; else rm -f "$database"*; fi
}

for round in $(seq "$rounds"); do
  for db in sqlite postgres; do
    if [ "$indexes" = 1 ]; then
      for drop in "" interceptions_user interceptions_provider interceptions_model interceptions_client interceptions_started \
        interceptions_provider,interceptions_model,interceptions_client \
        interceptions_user,interceptions_provider,interceptions_model,interceptions_client,interceptions_started; do
        measure new $db "${drop:-all indexes}" "$drop"
      done
    elif [ $((round % 2)) = 1 ]; then measure old $db old ""; measure new $db new ""
    else measure new $db new ""; measure old $db old ""; fi
  done
done

# The report: best round per database and label.
suffix=""; [ "$indexes" = 1 ] && suffix=-indexes
report=bench/results/$(date -u +%Y-%m-%d)-ingest$suffix.md
python3 - "$work/results.jsonl" "$report" "$base" "$rounds" "$interceptions" <<'PY'
import json, os, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
best = {}
for r in rows:
    key = (r["database"], r["label"])
    if key not in best or r["rows_per_s"] > best[key]["rows_per_s"]:
        best[key] = r
out = [f"# Audit ingest ({os.popen('date -u +%Y-%m-%dT%H:%MZ').read().strip()})", "",
       f"bench/ingest.sh: {sys.argv[5]} interceptions per run on a fresh database, batches of up to 4,096 records "
       f"(whole interceptions), best of {sys.argv[4]} interleaved rounds; old = Storage at {sys.argv[3]}. "
       f"{os.cpu_count()} cores, load average {open('/proc/loadavg').read().split()[0]} at the end. PostgreSQL with fsync off.", "",
       "| database | writer | interceptions/s | rows/s | seconds |", "|---|---|---:|---:|---:|"]
for (database, label), r in sorted(best.items()):
    out.append(f"| {database} | {label} | {r['interceptions_per_s']:,.0f} | {r['rows_per_s']:,.0f} | {r['seconds']} |")
out += ["", "Every round:", "", "```"] + [json.dumps(r) for r in rows] + ["```", ""]
open(sys.argv[2], "w").write("\n".join(out))
print("\n".join(out[:len(best) + 6]))
print("wrote", sys.argv[2])
PY
