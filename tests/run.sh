#!/usr/bin/env bash
# Runs every test of ZProxy: the README's test command, and what CI runs.
# Needs only the .NET SDK; installs anything else it needs from Debian's packages.
# Ends with one line "N passed, N failed[, N skipped]" summed from the TRX results.
set -uo pipefail
cd "$(dirname "$0")/.."

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# Release: the allocation tests and benchmark smokes measure the code as it ships (a Debug build's
# async state machines are classes and allocate on every call). Extra arguments go to dotnet test.
dotnet test ZProxy.sln \
  --configuration Release \
  --logger "trx" \
  --results-directory "$results" \
  --blame-hang-timeout 10m \
  "$@"
status=$?

passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(value total); executed=$(value executed)
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

# A run that crashed before writing results must not look green.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
if [ "$files" -eq 0 ]; then
  echo "no test results were written" >&2
  status=1
fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
