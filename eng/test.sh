#!/usr/bin/env bash
# Installs what is missing (eng/install-prereqs.sh, idempotent), then builds and runs every test project of Rlhf.sln
# (unit, integration on real SQLite files, TorchSharp, CLI processes and Playwright browser tests against the real
# server), then the database tests a second time against a throwaway PostgreSQL cluster, and prints one summary line. Arguments go to `dotnet test`, e.g. ./eng/test.sh --filter FullyQualifiedName~Rating
set -uo pipefail
cd "$(dirname "$0")/.."
bash eng/install-prereqs.sh || exit 1
log=$(mktemp)
# Test projects run in parallel: one torch thread each keeps 2 cores from being oversubscribed (spinning OpenMP
# threads made training tests several times slower). Benchmarks set their own thread counts.
export RLHF_TORCH_THREADS="${RLHF_TORCH_THREADS:-1}"
dotnet test Rlhf.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Second pass: the database-touching tests again, against PostgreSQL (a throwaway cluster started by
# eng/postgres-cluster.sh): the data services, the job queue, the site's start-up (readiness, metrics, shared
# data-protection keys) and two site processes rating on one database (Rlhf.Cli.Tests BenchLoadCommandTests.Two_sites,
# ~20 s, in the shorter lane); the API tests stay SQLite-only to keep CI within its 25 minutes. Only for the full suite
# (no arguments); RLHF_TEST_POSTGRES_PASS=0 leaves it out.
if [ $# -eq 0 ] && [ "${RLHF_TEST_POSTGRES_PASS:-1}" != "0" ]; then
  pg_folder=$(mktemp -u /tmp/rlhf-test-pg-XXXXXX)
  if RLHF_TEST_POSTGRES=$(bash eng/postgres-cluster.sh start "$pg_folder"); then
    export RLHF_TEST_POSTGRES RLHF_TEST_DATABASE=postgres
    pg_started=$(date +%s)
    echo; echo "=== PostgreSQL pass: Rlhf.Data.Tests, the job queue (Rlhf.Jobs.Tests Runner), Rlhf.Web.Tests start-up, two sites (Rlhf.Cli.Tests) ==="
    # Two lanes on the 2 cores: the data tests in one, the job queue, the site's start-up and the two sites after each other in the other.
    pg_lane() {
      for run in "$@"; do
        project=${run%%|*}; filter=""; [ "$project" != "$run" ] && filter=${run#*|}
        dotnet test "$project" --no-build ${filter:+--filter "$filter"} > "$log.$BASHPID.$(basename "$project")" 2>&1 || echo failed >> "$log.failed"
      done
    }
    pg_lane "tests/Rlhf.Data.Tests" &
    pg_lane "tests/Rlhf.Jobs.Tests|FullyQualifiedName~Rlhf.Jobs.Tests.Runner" "tests/Rlhf.Web.Tests|FullyQualifiedName~Rlhf.Web.Tests.Startup" \
      "tests/Rlhf.Cli.Tests|FullyQualifiedName~BenchLoadCommandTests.Two_sites" &
    wait
    for lane_log in "$log".*.Rlhf.*; do cat "$lane_log" | tee -a "$log"; rm -f "$lane_log"; done
    [ -s "$log.failed" ] && status=1
    rm -f "$log.failed"
    echo "PostgreSQL pass took $(( $(date +%s) - pg_started )) s"
    unset RLHF_TEST_POSTGRES RLHF_TEST_DATABASE
  else
    echo "PostgreSQL pass: the test cluster did not start"; status=1
  fi
  bash eng/postgres-cluster.sh stop "$pg_folder"
fi
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
