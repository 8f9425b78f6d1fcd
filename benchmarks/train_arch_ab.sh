#!/usr/bin/env bash
# End-to-end A/B of the 12-epoch NB201 recipe at C=8 N=1 on real CIFAR-10: nb201 train-arch, then the PyTorch peer
# (benchmarks/train_arch_torch.py), same files, 2 threads each, one after the other. Writes into OUT (default
# ./train-arch-ab): nb201.json (scores), small12.sqlite (per-epoch log), torch.jsonl, times.txt.
# usage: benchmarks/train_arch_ab.sh CIFAR10_BIN_DIR [OUT]     (about 20 min on the 2-core machine)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${1:?usage: train_arch_ab.sh CIFAR10_BIN_DIR [OUT]}
out=${2:-train-arch-ab}
swift build -c release --product nb201 --package-path "$root" >/dev/null
mkdir -p "$out" && cd "$out"
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
A='|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'
date -u +%FT%TZ > times.txt
"$root/.build/release/nb201" train-arch "$A" --db small12.sqlite --dataset cifar10 --data "$data" \
  --splits "$root/../shared/data/splits" --epochs 12 --C 8 --N 1 --checkpoints ckpt --json > nb201.json 2> nb201.err
date -u +%FT%TZ >> times.txt
"${NB201_TORCH_VENV:-$HOME/.cache/nb201-torch-venv}/bin/python" "$root/benchmarks/train_arch_torch.py" "$data" \
  --C 8 --N 1 --epochs 12 --threads 2 > torch.jsonl 2> torch.err
date -u +%FT%TZ >> times.txt
