#!/usr/bin/env bash
# Side-by-side throughput: the Swift/OpenBLAS engine (engine-benchmark) vs the PyTorch CPU peer (torch-peer),
# same network, batch and thread count, runs interleaved (engine, peer, engine, peer, ...) so both see the
# same machine load. Prints one JSON line per run; benchmarks/summarize_engine.py turns them into a table.
# usage: benchmarks/engine_vs_torch.sh [rounds=2] > results.jsonl; python3 benchmarks/summarize_engine.py < results.jsonl
#   env: CORETYPES="Haswell unset" (OPENBLAS_CORETYPE values to try), THREADS=2, CONFIGS (see below),
#        KERNELS="avx2 im2col" (extra own-threads runs with the convolution kernels limited to these; default none:
#        only the CPU's best)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
threads=${THREADS:-2}
coretypes=${CORETYPES:-"Haswell unset"}
# C N batch steps: at least ~1,000 training images per measurement (4 steps of 64 swung 129-158 img/s on this VM)
configs=${CONFIGS:-"16,5,256,4 16,5,64,12 8,1,256,16 8,1,64,48"}
peer=../shared/tools/torch-peer
swift build -c release --product engine-benchmark >&2
bench=.build/release/engine-benchmark
for coretype in $coretypes; do
  if [ "$coretype" = unset ]; then unset OPENBLAS_CORETYPE; else export OPENBLAS_CORETYPE=$coretype; fi
  # Per-convolution rates of the C=16, N=5 network next to the bare sgemm of the same shape.
  $bench --mode kernels --batch 64 --steps 5 --threads "$threads" | sed "s/^{/{\"coretype\": \"$coretype\", /"
  for cfg in $configs; do
    IFS=, read -r C N batch steps <<<"$cfg"
    for mode in train eval; do
      s=$steps; [ "$mode" = eval ] && s=$((steps * 3))
      for r in $(seq "$rounds"); do
        for threading in split blas; do
          $bench --mode "$mode" --C "$C" --N "$N" --batch "$batch" --steps "$s" --threads "$threads" --threading "$threading" \
            | sed "s/^{/{\"coretype\": \"$coretype\", \"round\": $r, /"
        done
        for limit in ${KERNELS:-}; do
          $bench --mode "$mode" --C "$C" --N "$N" --batch "$batch" --steps "$s" --threads "$threads" --kernels "$limit" \
            | sed "s/^{/{\"coretype\": \"$coretype\", \"round\": $r, /"
        done
        $peer --mode "$mode" --C "$C" --N "$N" --batch "$batch" --steps "$s" --threads "$threads" \
          | sed "s/^{/{\"coretype\": \"$coretype\", \"round\": $r, /"
      done
    done
  done
done
