#!/usr/bin/env bash
# The ranking-protocol runs of benchmarks/results/ranking_protocol.md: one long one-shot run (C=8 N=1, 150 epochs,
# non-isomorphic sampling, clipping at 5) with snapshots scored on 200 fixed paths of the study's 500 and the final
# supernet on all 500, the 25-epoch constant-rate run of the medium preset, plus the 15-epoch ablations of the small protocol with one option at a time. One thread per
# process; resumable (every command continues where it stopped). Writes the curve with benchmarks/ranking_curve.py.
# usage: DB=/path/supernet.sqlite DATA=/path/cifar-10-batches-bin [CKPT=dir] benchmarks/ranking_protocol.sh
# The database needs the ground truth imported (nb201 import-table ../shared/data/groundtruth/nb201_groundtruth_merged.csv).
set -euo pipefail
cd "$(dirname "$0")/.."
NB201=${NB201:-.build/release/nb201}
DB=${DB:?set DB to the database file}
DATA=${DATA:?set DATA to the CIFAR-10 binary directory}
CKPT=${CKPT:-$(dirname "$DB")/ckpt}
WORK=$(dirname "$DB")
STUDY=notebooks-export/cifar10-small/study.sqlite
TRUTH=../shared/data/groundtruth/nb201_groundtruth_merged.csv
echo "OpenBLAS core: ${OPENBLAS_CORETYPE:-auto}, 1 thread per process; load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
D=(--db "$DB" --data "$DATA" --splits ../shared/data/splits --checkpoints "$CKPT" --threads 1)
# The study's 500 paths (sample:500, eval seed 0) and the 200 the snapshots are scored on (every 2nd of the sorted 500, as
# the medium preset's study does), from the committed reference study.
python3 - "$STUDY" "$WORK" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
paths = sorted(r[0] for r in db.execute("SELECT DISTINCT arch_idx FROM estimates JOIN runs ON runs.id = run_id WHERE runs.name = 'supernet-cifar10-small-k1-s0' AND estimator = 'supernet'"))
open(sys.argv[2] + "/sample500.txt", "w").write("\n".join(map(str, paths)) + "\n")
open(sys.argv[2] + "/snapshot200.txt", "w").write("\n".join(map(str, paths[0:400:2])) + "\n")
PY
R=os-C8N1-e150-s0
"$NB201" train --dataset cifar10 "${D[@]}" --k 1 --seed 0 --preset small --C 8 --N 1 --epochs 150 --warmup 0 --batch 64 --lr 0.05 \
  --sampling non-isomorphic --clip-grad 5 --snapshot-epochs 5,10,25,50,100 --name $R
for e in 5 10 25 50 100; do "$NB201" evaluate --run $R "${D[@]}" --archs "$WORK/snapshot200.txt" --snapshot $e --quiet; done
"$NB201" evaluate --run $R "${D[@]}" --archs "$WORK/sample500.txt" --quiet
# The protocol the medium preset adopted: a constant rate for 25 epochs.
C=os-C8N1-e25-const-s0
"$NB201" train --dataset cifar10 "${D[@]}" --k 1 --seed 0 --preset small --C 8 --N 1 --epochs 25 --warmup 0 --batch 64 --lr 0.05 \
  --min-lr 0.05 --sampling non-isomorphic --clip-grad 5 --snapshot-epochs 10 --name $C --quiet
"$NB201" evaluate --run $C "${D[@]}" --archs "$WORK/sample500.txt" --quiet
"$NB201" evaluate --run $C "${D[@]}" --archs "$WORK/snapshot200.txt" --snapshot 10 --quiet
U=os-C8N1-e25-const-uniform-s0
"$NB201" train --dataset cifar10 "${D[@]}" --k 1 --seed 0 --preset small --C 8 --N 1 --epochs 25 --warmup 0 --batch 64 --lr 0.05 \
  --min-lr 0.05 --clip-grad 5 --name $U --quiet
"$NB201" evaluate --run $U "${D[@]}" --archs "$WORK/sample500.txt" --quiet
ablation() {
  local name=$1; shift
  "$NB201" train --dataset cifar10 "${D[@]}" --k 1 --seed 0 --preset small --warmup 0 --name "$name" --quiet "$@"
  "$NB201" evaluate --run "$name" "${D[@]}" --archs "$WORK/snapshot200.txt" --quiet
}
ablation small-noniso-s0 --sampling non-isomorphic
ablation small-clip-s0 --clip-grad 5
ablation small-noniso-clip-s0 --sampling non-isomorphic --clip-grad 5
for paths in snapshot200 sample500; do
  python3 benchmarks/ranking_curve.py --truth "$TRUTH" --paths "$WORK/$paths.txt" --out benchmarks/results --name "ranking_protocol_$paths" \
    --run "$DB" $R --run "$DB" $C --run "$DB" $U --run "$DB" small-noniso-s0 --run "$DB" small-clip-s0 --run "$DB" small-noniso-clip-s0 \
    --reference "small (study, seed 0)" "$STUDY" supernet-cifar10-small-k1-s0 supernet \
    --reference "small (study, seed 1)" "$STUDY" supernet-cifar10-small-k1-s1 supernet \
    --reference "small (study, seed 2)" "$STUDY" supernet-cifar10-small-k1-s2 supernet \
    --reference params "$STUDY" "baselines-cifar10-sample:500-s0" params \
    --reference "synflow (C=16 N=5, 64 images)" "$STUDY" "proxies-cifar10-sample:500-C16N5-b64-s0" synflow
done
