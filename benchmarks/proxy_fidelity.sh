#!/usr/bin/env bash
# Proxy fidelity (the ceiling of a supernet at a shape): the stratified paths of benchmarks/fidelity_paths.txt trained
# stand-alone at reduced shapes for a few epochs (nb201 reduced-train: CIFAR-10's 25k train half, batch 64, lr 0.05
# cosine, scored on 5,000 x-valid images), ranked against cifar10-valid x-valid (200-epoch seed mean) beside params
# and the medium study's supernets and proxies on the same paths. One thread per run; resumable (run it again to continue).
# usage: DB=/path/fidelity.sqlite DATA=/path/cifar-10-batches-bin [SHAPES="8x1 4x5 8x5"] [EPOCHS=3] benchmarks/proxy_fidelity.sh
# The database needs the ground truth imported (nb201 import-table ../shared/data/groundtruth/nb201_groundtruth_merged.csv).
set -euo pipefail
cd "$(dirname "$0")/.."
NB201=${NB201:-.build/release/nb201}
DB=${DB:?set DB to the database file}
DATA=${DATA:?set DATA to the CIFAR-10 binary directory}
SPLITS=${SPLITS:-../shared/data/splits}
CKPT=${CKPT:-$(dirname "$DB")/reduced-checkpoints}
PATHS=${PATHS:-benchmarks/fidelity_paths.txt}
SHAPES=${SHAPES:-"8x1 4x5 8x5"}
EPOCHS=${EPOCHS:-3}
OUT=${OUT:-benchmarks/results}
# The medium study's extract: its supernets, params and proxies on the same paths (all 24 are in its 500-path sample).
STUDY=notebooks-export/cifar10-medium/study.sqlite
echo "OpenBLAS core: ${OPENBLAS_CORETYPE:-auto}, 1 thread per run; load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
references=()
for shape in $SHAPES; do
  C=${shape%x*}; N=${shape#*x}
  "$NB201" reduced-train --db "$DB" --dataset cifar10 --data "$DATA" --splits "$SPLITS" --checkpoints "$CKPT" --threads 1 \
    --archs "$PATHS" --C "$C" --N "$N" --epochs "$EPOCHS" --batch 64 --lr 0.05 --validation-images 5000 --quiet
  references+=(--reference "stand-alone C=$C N=$N, $EPOCHS epochs" "$DB" "reduced-cifar10-C${C}N${N}-e${EPOCHS}-b64-lr0.05-v5000-s0" reduced-training)
done
for seed in 0 1 2; do
  for arm in "one-shot:k1" "K=2:k2" "K=4:k4" "few-shot e0:fewshot-e0"; do
    references+=(--reference "${arm%%:*} supernet (medium, seed $seed)" "$STUDY" "supernet-cifar10-medium-${arm#*:}-s$seed" supernet)
  done
done
for proxy in synflow nwot jacob_cov; do
  references+=(--reference "$proxy (C=16 N=5, 64 images)" "$STUDY" "proxies-cifar10-sample:500-C16N5-b64-s0" "$proxy")
done
python3 benchmarks/ranking_curve.py --truth ../shared/data/groundtruth/nb201_groundtruth_merged.csv --paths "$PATHS" \
  --out "$OUT" --name proxy_fidelity "${references[@]}" \
  --reference "params" "$STUDY" "baselines-cifar10-sample:500-s0" params
