#!/usr/bin/env bash
# Kendall tau-b with p-value on the 15,625 NB201 cells: Swift (release) and scipy on the same data, in
# alternating rounds so both see the same machine load; then 1,000 bootstrap resamples of tau-b + Spearman
# + top-k. Run from the package root: benchmarks/ranking_bench.sh [CSV] [COLUMN_A] [COLUMN_B]
# CPUS=0 pins both sides to CPU 0 (taskset): the Swift side then sees one core and runs serially, with no fork-join
# helper, the single-thread figure (cpu_ms per call against scipy's) of a machine whose other core is busy.
set -euo pipefail
CSV=${1:-../shared/data/groundtruth/nb201_groundtruth_merged.csv}
A=${2:-cifar10_test_hp200_avg}
B=${3:-cifar100_xtest_hp200_avg}
REPEATS=${REPEATS:-200}
ROUNDS=${ROUNDS:-3}
[ -f "$CSV" ] || { echo "ground truth $CSV not found" >&2; exit 1; }
swift build -c release --product ranking-benchmark >/dev/null
BIN="$(swift build -c release --show-bin-path)/ranking-benchmark"
PIN=()
[ -n "${CPUS:-}" ] && PIN=(taskset -c "$CPUS")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $CSV ($A vs $B); $ROUNDS rounds of $REPEATS timed calls each; CPUs: ${CPUS:-all}"
# Every round starts on a quiet machine, by side_by_side.py's rule (load average below QUIET_LOAD, waiting up to
# 10 minutes, else it refuses with exit 3).
quiet() { python3 benchmarks/side_by_side.py --wait-quiet --quiet-load "${QUIET_LOAD:-0.5}"; }
for round in $(seq "$ROUNDS"); do
    load=$(quiet)
    echo "round $round (load average $load)"
    "${PIN[@]}" "$BIN" "$CSV" "$A" "$B" "$REPEATS" | sed 's/^/  /'
    "${PIN[@]}" python3 benchmarks/ranking_scipy_bench.py "$CSV" "$A" "$B" "$REPEATS" | sed 's/^/  /'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
