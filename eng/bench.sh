#!/usr/bin/env bash
# Runs the speed benchmarks of BENCHMARKS.md several times and prints the median of every top-level number.
#   eng/bench.sh [runs (default 3)] [benchmarks (default: forward generate reward ppo)]
# Each run's JSON is kept in bench-results/<UTC time>/<benchmark>-<i>.json. The machine is shared: note `uptime`.
# `rlhf bench loop` (20 min) and `rlhf bench load` / `bench circuits` are run on their own (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
shift || true
benchmarks=("${@:-forward generate reward ppo}")
read -r -a benchmarks <<< "${benchmarks[*]}"
out="bench-results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
dotnet build -c Release src/Rlhf.Cli -v quiet -nologo > /dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for b in "${benchmarks[@]}"; do
  for i in $(seq 1 "$runs"); do
    dotnet src/Rlhf.Cli/bin/Release/net10.0/rlhf.dll bench "$b" --threads 2 > "$out/$b-$i.json"
  done
  python3 - "$out" "$b" "$runs" <<'PY'
import json, statistics, sys
out, b, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = [json.load(open(f"{out}/{b}-{i}.json")) for i in range(1, runs + 1)]
keys = [k for k, v in docs[0].items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
print(f"{b} (median of {runs}): " + ", ".join(f"{k} {statistics.median(d[k] for d in docs):.4g}" for k in keys))
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); raw JSON in $out"
