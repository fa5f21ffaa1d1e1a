#!/usr/bin/env bash
# Fuzzes one target of the SharpFuzz harness with AFL++ (tools/fuzz/README.md).
#   tools/fuzz/run.sh TARGET [SECONDS]     TARGET: sse | request | observer | body; SECONDS: default 120
# Installs what it needs (afl++ from Debian, the SharpFuzz.CommandLine tool into tools/fuzz/.tools), builds the
# harness, instruments bridgekeeper.dll, writes the seed corpus from the test fixtures, runs afl-fuzz, then replays
# every crash it found and prints what each threw. Output: tools/fuzz/.work/TARGET/ (not committed).
set -euo pipefail

target=${1:?usage: tools/fuzz/run.sh sse|request|observer|body [SECONDS]}
seconds=${2:-120}
here=$(cd "$(dirname "$0")" && pwd)
work="$here/.work/$target"
bin="$here/.work/bin"       # instrumented, for afl-fuzz
plain="$here/.work/plain"   # not instrumented: instrumented code crashes outside afl-fuzz (no shared memory)
sharpfuzz_version=2.3.0

if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++
fi
if [ ! -x "$here/.tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$here/.tools"
fi

# A fresh build each run: instrumenting rewrites bridgekeeper.dll in place.
rm -rf "$bin" "$plain"
dotnet build "$here/Bridgekeeper.Fuzz/Bridgekeeper.Fuzz.csproj" -c Release -o "$plain" -warnaserror -nologo -v quiet
cp -r "$plain" "$bin"
"$here/.tools/sharpfuzz" "$bin/bridgekeeper.dll"

rm -rf "$work/corpus"
mkdir -p "$work"
dotnet "$plain/Bridgekeeper.Fuzz.dll" "$target" --corpus "$work/corpus"

# dotnet itself is not instrumented (SharpFuzz instruments the managed code), and it starts slowly.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_FORKSRV_INIT_TMOUT=60000
# A seed that already crashes (a known bug) must not stop the run; afl-fuzz lists it with the crashes.
export AFL_SKIP_CRASHES=1
afl-fuzz -i "$work/corpus" -o "$work/findings" -t 10000 -m none -V "$seconds" -- dotnet "$bin/Bridgekeeper.Fuzz.dll" "$target" || true

crashes=("$work"/findings/default/crashes/id:*)
if [ -e "${crashes[0]}" ]; then
  echo "== ${#crashes[@]} crashing inputs in $work/findings/default/crashes; what they throw:"
  dotnet "$plain/Bridgekeeper.Fuzz.dll" "$target" --replay "${crashes[@]}" | grep -E '^(THROW|ok)|Exception:|^   at Bridgekeeper' | head -200 || true
else
  echo "== no crashes"
fi
grep -E 'execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time' "$work/findings/default/fuzzer_stats" || true
