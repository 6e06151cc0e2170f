#!/usr/bin/env bash
# Runs every test of the solution and prints, as its last line, "N passed, N failed, N skipped"
# counted from the test results. Exits non-zero if anything failed or no test ran.
set -uo pipefail
cd "$(dirname "$0")"

summary() { echo "$1 passed, $2 failed, $3 skipped"; }

# Azurite (the Azure Storage emulator) from npm, pinned: later versions need Node 22.
if [ ! -x .tools/node_modules/.bin/azurite-table ]; then
  npm install --prefix .tools --no-audit --no-fund --loglevel=error azurite@3.35.0 \
    || { echo "could not install azurite"; summary 0 1 0; exit 1; }
fi

# Headless Chromium (Debian's package) for the test that loads the API page in a real browser.
if ! command -v chromium >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || { echo "could not install chromium"; summary 0 1 0; exit 1; }
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

if ! dotnet build Directory.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "build failed"; summary 0 1 0; exit 1
fi

# One test project at a time: the cluster tests start several processes on two cores.
status=0
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" || status=1
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(get total); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted)
  passed=$((passed + p))
  failed=$((failed + f + e + t + a))
  skipped=$((skipped + total - p - f - e - t - a))
done

# Name every failed test again at the end, with the first lines of its message: a log read from
# its tail alone (as CI records keep it) still says what failed.
if [ $failed -gt 0 ]; then
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    awk '
      /<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); want = 1; next }
      want && /<Message>/ { sub(/.*<Message>/, ""); print "FAILED " name; lines = 0; inmsg = 1 }
      inmsg { line = $0; sub(/<\/Message>.*/, "", line); if (lines++ < 6) print "  " line; if ($0 ~ /<\/Message>/) { inmsg = 0; want = 0 } }
    ' "$trx"
  done
fi

if [ $status -ne 0 ] && [ $failed -eq 0 ]; then
  # A runner failed without a failed test in the results (a crash or a hang): count it.
  failed=1
fi
summary $passed $failed $skipped
[ $status -eq 0 ] && [ $failed -eq 0 ] && [ $passed -gt 0 ]
