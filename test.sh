#!/usr/bin/env bash
# Runs every test: restores, builds (warnings are errors) and runs the unit and end-to-end suites.
# Prints "N passed, N failed" as its last line. Needs the .NET SDK, and Node 20+ with npm for the real-client tests.
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

status=0
for project in tests/Bridgekeeper.Tests tests/Bridgekeeper.EndToEndTests; do
  name=$(basename "$project")
  dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" || status=1
done

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
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # a runner crash or a project that produced no results still counts as a failure
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
