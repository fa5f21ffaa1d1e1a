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
. tools/throwaway-postgres.sh
trap stop_postgres EXIT

start_test_postgres() {
  start_postgres "${BRIDGEKEEPER_TEST_PG_PORT:-25432}" || return 1
  export BRIDGEKEEPER_TEST_POSTGRES="$pg_url"
  export BRIDGEKEEPER_TEST_PG_CTL="$pg_dir/pg_ctl.sh"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port ($pg_dir)"
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

if start_test_postgres; then
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
