#!/bin/bash
# Memory check of the whole pipeline: valgrind memcheck over `nb201 reproduce --preset tiny` (CIFAR-10 loading, one-shot and
# K-shot supernets trained in two job threads, snapshots, BatchNorm-recalibrated path evaluation, zero-cost proxies,
# ranking, report and database extract). valgrind sees OpenBLAS and SQLite as well as Swift, which AddressSanitizer does not.
# Usage: benchmarks/memcheck.sh CIFAR10_DIR [OUT_DIR]   (about 70 minutes on 2 cores; the log is OUT_DIR/valgrind.log)
set -euo pipefail
data=${1:?usage: benchmarks/memcheck.sh CIFAR10_DIR [OUT_DIR]}
out=${2:-/tmp/nb201-memcheck}
root=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --product nb201 --package-path "$root"
rm -rf "$out" && mkdir -p "$out"
cp "$root/.build/release/nb201" "$out/nb201"
cd "$out"
valgrind --error-limit=no --num-callers=30 --log-file=valgrind.log ./nb201 reproduce --preset tiny --ks 1,2 --seeds 0 \
  --data "$data" --splits "$root/../shared/data/splits" --benchmark "$root/../shared/data/groundtruth/nb201_groundtruth_merged.csv" \
  --db db.sqlite --out report --checkpoints ckpt --quiet
grep -E "Invalid (read|write)|ERROR SUMMARY|definitely lost" valgrind.log || true
