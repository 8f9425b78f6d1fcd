#!/usr/bin/env bash
# Path evaluation side by side (issue 16): this package's evaluation of one supernet path (exact BatchNorm recalibration
# on 10 x 64 training images, then 2,000 validation images in inference mode; supernet-benchmark --eval-arch, a step is
# one evaluation and its time includes the recalibration) against PyTorch CPU inference of the same path as a fixed
# network (torch-peer --mode eval, batch 250, 8 batches per evaluation step, no recalibration), through benchmarks/side_by_side.py: quiet machine,
# interleaved rounds until two agree within 10 %, wall and per-CPU-second figures. Figures are validation images per
# second. Prints a markdown table per shape, path and thread count; raw rows go to $RAW.
# usage: benchmarks/path_eval.sh   env: THREADS="1 2", CONFIGS="C,N,steps ...", ARCHS="ARCHSTR ...", OPENBLAS_CORETYPE,
#        RAW=benchmarks/results/path_eval_vs_torch_inference.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
configs=${CONFIGS:-"8,1,2 16,5,1"}
# The best CIFAR-10 cell (five 3x3 convolutions, the costliest kind of path) and a mixed one (pools, a 1x1, a zero edge).
archs=${ARCHS:-"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2| |nor_conv_1x1~0|+|avg_pool_3x3~0|skip_connect~1|+|nor_conv_3x3~0|none~1|avg_pool_3x3~2|"}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
swift build -c release --product supernet-benchmark >&2
bench=.build/release/supernet-benchmark
peer=../shared/tools/torch-peer
status=0
for cfg in $configs; do
  IFS=, read -r C N steps <<<"$cfg"
  for arch in $archs; do
    for t in ${THREADS:-1 2}; do
      python3 benchmarks/side_by_side.py --title "Path evaluation C=$C N=$N, $arch, $t thread(s)," --batch 250 --steps "$steps" \
        --raw "${RAW:-benchmarks/results/path_eval_vs_torch_inference.jsonl}" \
        --side "pytorch-inference=$peer --mode eval --arch $arch --C $C --N $N --batch 250 --threads $t --steps {steps*8}" \
        --side "nb201-path-evaluation=$bench --k 1 --C $C --N $N --threads $t --steps {steps} --eval-arch $arch" || status=$?
    done
  done
done
exit $status
