#!/usr/bin/env bash
# CI step: the tests that signal an AppHost process pass however `dotnet test` is started (issue 18). A non-interactive
# shell starts `cmd &` with SIGINT and SIGQUIT ignored and `nohup` ignores SIGHUP; both are inherited across exec by the
# test host and everything it starts. A filtered run of each, before the main `dotnet test` in .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."

t0=$SECONDS
dotnet build tests/IntegrationTests -v q -nologo
filter='FullyQualifiedName~LifecycleTests'

echo "-- as a background job of a non-interactive shell (SIGINT, SIGQUIT ignored)"
bash -c 'dotnet test tests/IntegrationTests --no-build --filter "$1" & wait $!' _ "$filter"

echo "-- under nohup (SIGHUP ignored)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
nohup dotnet test tests/IntegrationTests --no-build --filter "$filter" >"$log" 2>&1 </dev/null || status=$?
cat "$log"
[ "$status" -eq 0 ]
echo "background and nohup runs passed in $((SECONDS - t0)) s"
