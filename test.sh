#!/usr/bin/env bash
# Runs every test: restores, builds (warnings are errors) and runs the unit and end-to-end suites twice, once on
# SQLite and once on a throwaway PostgreSQL 15 server that this script starts (and stops on exit).
# Prints "N passed, N failed" as its last line. Needs the .NET SDK, PostgreSQL 15 server binaries
# (/usr/lib/postgresql/15/bin, or PG_BIN), root or the postgres user, Node 20+ with npm for the real-client tests, apt
# (as root, or sudo without a password) for Debian's Chromium, and python3 for the dependency check. The dashboard
# tests' screenshots are left in .test-results/screenshots.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results="$PWD/.test-results"
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build Bridgekeeper.slnx -c Release -warnaserror; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# The folders use each other only as docs/dependencies.txt allows, without cycles; a violation is one failed test.
status=0
if ! python3 tools/check-dependencies.py; then
  echo "FAILED: folder dependencies (tools/check-dependencies.py, docs/dependencies.txt)"
  status=1
  deps_failed=1
fi

# The real clients (Claude Code, Codex, the OpenAI and Anthropic Node SDKs) that tests/…/Clients drive, pinned in
# tests/clients/package-lock.json. Installed again only when the lock file is newer than the last install.
clients=tests/clients
if [ ! "$clients/node_modules/.package-lock.json" -nt "$clients/package-lock.json" ]; then
  echo "installing pinned clients (npm ci --prefix $clients)"
  if ! npm ci --prefix "$clients" --no-audit --no-fund --loglevel=error; then
    echo "npm ci failed: the client tests will fail (they need Node 20+ and npm)"
  fi
fi
for cli in claude codex; do
  "$clients/node_modules/.bin/$cli" --version >/dev/null 2>&1 || echo "warning: $clients/node_modules/.bin/$cli does not run"
done

# Debian's Chromium, which the dashboard tests drive with playwright-core (never a browser download: this machine's
# registries are Debian's, npm's and NuGet's). Installed once; the tests fail, never skip, without it.
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium for the dashboard tests (apt-get install chromium)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }; then
    echo "installing chromium failed: the dashboard tests will fail"
  fi
fi

# A private PostgreSQL for the second run: initdb into a temp directory, a free port, stopped by the trap. If it cannot
# start, the PostgreSQL run counts as failed: CI must never skip it silently.
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
pg_dir=""
stop_postgres() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir/data" ]; then
    "$pg_dir/pg_ctl.sh" stop -m immediate >/dev/null 2>&1
    rm -rf "$pg_dir"
  fi
}
trap stop_postgres EXIT

start_postgres() {
  # Below the kernel's ephemeral range (32768-60999), so no outgoing connection of the tests can hold the port.
  local port=${BRIDGEKEEPER_TEST_PG_PORT:-25432}
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  pg_dir=$(mktemp -d /tmp/bk-pg.XXXXXX) || return 1
  local run_as=""
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$pg_dir" || return 1
    run_as="su postgres -c"
  fi
  chmod 700 "$pg_dir"
  # pg_ctl.sh runs pg_ctl on this server as the right user; the durability test uses it to stop and restart the server.
  if [ -n "$run_as" ]; then
    printf '#!/bin/sh\nexec su postgres -c "%s/pg_ctl -D %s/data -l %s/log -w $*"\n' "$pg_bin" "$pg_dir" "$pg_dir" >"$pg_dir/pg_ctl.sh"
  else
    printf '#!/bin/sh\nexec %s/pg_ctl -D %s/data -l %s/log -w "$@"\n' "$pg_bin" "$pg_dir" "$pg_dir" >"$pg_dir/pg_ctl.sh"
  fi
  chmod 755 "$pg_dir/pg_ctl.sh"
  local initdb="$pg_bin/initdb -D $pg_dir/data -A trust -U postgres -E UTF8 --no-locale"
  if [ -n "$run_as" ]; then $run_as "$initdb" >"$pg_dir/initdb.log" 2>&1; else $initdb >"$pg_dir/initdb.log" 2>&1; fi || {
    cat "$pg_dir/initdb.log"; return 1; }
  cat >>"$pg_dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_dir'
max_connections = 400
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  # A port can be taken between the check above and the bind: then the next one, a few times.
  local tries=0
  until "$pg_dir/pg_ctl.sh" start >/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ] || ! grep -q "Address already in use" "$pg_dir/log"; then cat "$pg_dir/log"; return 1; fi
    port=$((port + 1))
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    sed -i "s/^port = .*/port = $port/" "$pg_dir/data/postgresql.conf"
  done
  "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres bridgekeeper || return 1
  export BRIDGEKEEPER_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/bridgekeeper"
  export BRIDGEKEEPER_TEST_PG_CTL="$pg_dir/pg_ctl.sh"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($pg_dir)"
}

run_suites() {  # $1: database name, used in the result file names
  for project in tests/Bridgekeeper.Tests tests/Bridgekeeper.EndToEndTests; do
    name=$(basename "$project")-$1
    echo "=== $(basename "$project") on $1"
    dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$results" || status=1
  done
}

BRIDGEKEEPER_TEST_DATABASE=sqlite run_suites sqlite

if start_postgres; then
  BRIDGEKEEPER_TEST_DATABASE=postgres BRIDGEKEEPER_SECRET_KEY=$(head -c 32 /dev/urandom | base64) run_suites postgres
else
  echo "FAILED: PostgreSQL did not start, so the PostgreSQL run did not happen (needs $pg_bin; set PG_BIN to override)"
  status=1
  pg_failed=1
fi

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
# The failed tests by name, last, so that the tail of a long CI log says which ones failed.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n "s/.* testName=\"\([^\"]*\)\".*/FAILED ($(basename "$trx" .trx)): \1/p"
done
failed=$((failed + ${pg_failed:-0} + ${deps_failed:-0}))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # a runner crash or a project that produced no results still counts as a failure
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
