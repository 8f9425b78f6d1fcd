#!/usr/bin/env bash
# Batch-pipeline throughput (CIFAR-10, batch 256): the Swift Datasets module beside a numpy peer.
# usage: benchmarks/datasets.sh [CIFAR10_BIN_DIR]   (default /tmp/nb201-cifar10/cifar-10-batches-bin;
#        ../shared/tools/prepare-cifar10 DIR writes it). Results go to benchmarks/results/datasets.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/nb201-cifar10/cifar-10-batches-bin}
swift build -c release --product datasets-benchmark >/dev/null
.build/release/datasets-benchmark "$dir"
py=python3
python3 -c 'import numpy' 2>/dev/null || py=${XDG_CACHE_HOME:-$HOME/.cache}/nb201-prepare-venv/bin/python
$py benchmarks/datasets_numpy_peer.py "$dir"
