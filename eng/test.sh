#!/usr/bin/env bash
# Installs what is missing (eng/install-prereqs.sh, idempotent), then builds and runs every test project of Rlhf.sln
# (unit, integration on real SQLite files, TorchSharp, CLI processes and Playwright browser tests against the real
# server) and prints one summary line. Arguments go to `dotnet test`, e.g. ./eng/test.sh --filter FullyQualifiedName~Rating
set -uo pipefail
cd "$(dirname "$0")/.."
bash eng/install-prereqs.sh || exit 1
log=$(mktemp)
# Test projects run in parallel: one torch thread each keeps 2 cores from being oversubscribed (spinning OpenMP
# threads made training tests several times slower). Benchmarks set their own thread counts.
export RLHF_TORCH_THREADS="${RLHF_TORCH_THREADS:-1}"
dotnet test Rlhf.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, ..." line per test project.
read -r failed passed skipped projects < <(grep -E "(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+" "$log" |
  sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/' |
  awk '{f+=$1; p+=$2; s+=$3; n++} END {print f+0, p+0, s+0, n+0}')
rm -f "$log"
echo
echo "test projects run: $projects"
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ]; then exit "$status"; fi
if [ "$passed" -eq 0 ]; then echo "no test ran"; exit 1; fi
exit 0
