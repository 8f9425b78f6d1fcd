#!/usr/bin/env bash
# One core's 8-float FMA ceiling (benchmarks/fma_peak.c), pinned to each core in turn: the figure the convolution
# kernels' GFLOP/s (engine-benchmark --mode kernels) are a fraction of. usage: benchmarks/fma_peak.sh
set -euo pipefail
cd "$(dirname "$0")"
bin=$(mktemp -d)/fma_peak
trap 'rm -rf "$(dirname "$bin")"' EXIT
cc -O2 -mavx2 -mfma fma_peak.c -o "$bin"
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1 /proc/loadavg)"
for cpu in $(seq 0 $(($(nproc) - 1))); do
    echo "core $cpu: $(taskset -c "$cpu" "$bin")"
done
