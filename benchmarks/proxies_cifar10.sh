#!/usr/bin/env bash
# Zero-cost proxies on real CIFAR-10 and their ranking against the benchmark (benchmarks/results/proxies.md).
# usage: benchmarks/proxies_cifar10.sh [N archs, default 100] [seed, default 0] [db, default /tmp/nb201-proxies.sqlite]
# Needs CIFAR-10 binaries in /tmp/nb201-cifar10/cifar-10-batches-bin (../shared/tools/prepare-cifar10 DIR makes them).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}; SEED=${2:-0}; DB=${3:-/tmp/nb201-proxies.sqlite}
DATA=${CIFAR10_DIR:-/tmp/nb201-cifar10/cifar-10-batches-bin}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
swift build --product nb201 >/dev/null
NB=.build/debug/nb201   # library modules are built with -O even in debug (Package.swift)
[ -f "$DB" ] || $NB import-table --db "$DB" ../shared/data/groundtruth/nb201_groundtruth_merged.csv
RUN="proxies-cifar10-sample:$N-C16N5-b64-s$SEED"
time $NB proxies --db "$DB" --dataset cifar10 --data "$DATA" --archs "sample:$N" --seed "$SEED"
$NB rank --db "$DB" --run "$RUN" --dataset cifar10 --split ori-test --hp 200 --seed mean
$NB sql --db "$DB" "SELECT count(DISTINCT arch_idx) AS archs, wall_seconds, wall_seconds / count(DISTINCT arch_idx) AS seconds_per_arch FROM estimates JOIN runs ON runs.id = run_id WHERE runs.name = '$RUN'"
