#!/usr/bin/env bash
# Runs every test: restores, builds (warnings are errors) and runs the unit and end-to-end suites.
# Prints "N passed, N failed" as its last line. Needs only the .NET SDK; nothing else to install yet.
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
