#!/usr/bin/env bash
# Regenerates the example report notebooks-export/groundtruth-baselines: the benchmark's own columns and the cost
# baselines ranked against CIFAR-10 ori-test (hp 200, seed mean). Estimators: params and FLOPs (cost model), the
# CIFAR-100 x-test accuracy (hp 200) and the 12-epoch CIFAR-10 accuracy (one seed), each written to a CSV.
# The database and CSVs go to work-data/groundtruth-report (ignored by git); the merged ground-truth CSV is read from
# ../shared/data. Then scripts/check-report-notebook.sh validates and executes the notebook.
set -euo pipefail
cd "$(dirname "$0")/.."
truth=../shared/data/groundtruth/nb201_groundtruth_merged.csv
work=work-data/groundtruth-report
out=notebooks-export/groundtruth-baselines
[ -f "$truth" ] || { echo "missing $truth" >&2; exit 1; }
mkdir -p "$work"
rm -f "$work"/gt.sqlite*
swift build -c release --product nb201
bin="$(swift build -c release --show-bin-path)/nb201"
"$bin" import-table "$truth" --db "$work/gt.sqlite"
python3 - "$truth" "$work" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for column, name in [("cifar100_xtest_hp200_avg", "cifar100_xtest_hp200"), ("cifar10_test_hp12_1seed", "cifar10_test_hp12")]:
    with open(f"{sys.argv[2]}/{name}.csv", "w") as f:
        f.write("index,score\n")
        f.writelines(f"{r['index']},{r[column]}\n" for r in rows if r[column])
PY
"$bin" report --db "$work/gt.sqlite" --out "$out" --baseline params,flops \
    --csv "$work/cifar100_xtest_hp200.csv" --csv "$work/cifar10_test_hp12.csv" \
    --dataset cifar10 --split ori-test --hp 200 --seed mean
