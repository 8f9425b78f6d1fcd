#!/usr/bin/env bash
# Kendall tau-b with p-value on the 15,625 NB201 cells: Swift (release) and scipy on the same data, in
# alternating rounds so both see the same machine load; then 1,000 bootstrap resamples of tau-b + Spearman
# + top-k. Run from the package root: benchmarks/ranking_bench.sh [CSV] [COLUMN_A] [COLUMN_B]
set -euo pipefail
CSV=${1:-../shared/data/groundtruth/nb201_groundtruth_merged.csv}
A=${2:-cifar10_test_hp200_avg}
B=${3:-cifar100_xtest_hp200_avg}
REPEATS=${REPEATS:-200}
ROUNDS=${ROUNDS:-3}
[ -f "$CSV" ] || { echo "ground truth $CSV not found" >&2; exit 1; }
swift build -c release --product ranking-benchmark >/dev/null
BIN="$(swift build -c release --show-bin-path)/ranking-benchmark"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $CSV ($A vs $B); $ROUNDS rounds of $REPEATS timed calls each"
for round in $(seq "$ROUNDS"); do
    echo "round $round"
    "$BIN" "$CSV" "$A" "$B" "$REPEATS" | sed 's/^/  /'
    python3 benchmarks/ranking_scipy_bench.py "$CSV" "$A" "$B" "$REPEATS" | sed 's/^/  /'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
