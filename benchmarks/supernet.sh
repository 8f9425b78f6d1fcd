#!/usr/bin/env bash
# Supernet step timings side by side (issues 13, 14, 16): the PyTorch CPU peer's SPOS step
# (torch-peer --mode spos: uniform path sampling, same C, N, batch and threads), this package's one-shot (K = 1) and
# K = 2 supernet steps (supernet-benchmark), through benchmarks/side_by_side.py: quiet machine (load average < 0.5
# before every run, else it refuses), interleaved rounds until two agree within 10 %, wall and per-CPU-second figures,
# ratios against PyTorch. Prints a markdown table per shape and thread count; raw rows go to $RAW.
# usage: benchmarks/supernet.sh   env: THREADS="1 2", CONFIGS="C,N,batch,steps ...", OPENBLAS_CORETYPE,
#        OPTIONS=1 (the K = 2 step with merged-rate item gradients and merged weight decay, issue 14),
#        RAW=benchmarks/results/supernet_step_vs_torch_spos.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
configs=${CONFIGS:-"8,1,64,10 16,5,64,3"}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
swift build -c release --product supernet-benchmark >&2
bench=.build/release/supernet-benchmark
peer=../shared/tools/torch-peer
status=0
for cfg in $configs; do
  IFS=, read -r C N batch steps <<<"$cfg"
  for t in ${THREADS:-1 2}; do
    shape="--C $C --N $N --batch $batch --threads $t --steps {steps}"
    python3 benchmarks/side_by_side.py --title "Supernet step C=$C N=$N, $t thread(s)," --batch "$batch" --steps "$steps" \
      --raw "${RAW:-benchmarks/results/supernet_step_vs_torch_spos.jsonl}" \
      --side "pytorch-spos=$peer --mode spos $shape" \
      --side "nb201-k1=$bench --k 1 $shape" \
      --side "nb201-k2=$bench --k 2 --simplex 0 --options ${OPTIONS:-0} $shape" || status=$?
  done
done
exit $status
