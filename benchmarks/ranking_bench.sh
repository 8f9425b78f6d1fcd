#!/usr/bin/env bash
# Kendall tau-b with p-value on the 15,625 NB201 cells: Swift (release) next to scipy, same data, one run;
# then 1,000 bootstrap resamples of tau-b + Spearman + top-k. Run from the package root.
set -euo pipefail
CSV=${1:-../shared/data/groundtruth/nb201_groundtruth_merged.csv}
A=${2:-cifar10_test_hp200_avg}
B=${3:-cifar100_xtest_hp200_avg}
REPEATS=${REPEATS:-200}
[ -f "$CSV" ] || { echo "ground truth $CSV not found" >&2; exit 1; }
swift build -c release --product nb201-rankbench >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "data: $CSV ($A vs $B), $REPEATS timed calls each"
"$(swift build -c release --show-bin-path)/nb201-rankbench" "$CSV" "$A" "$B" "$REPEATS"
python3 benchmarks/ranking_scipy_bench.py "$CSV" "$A" "$B" "$REPEATS"
