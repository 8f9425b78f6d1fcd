#!/usr/bin/env python3
"""Writes the stratified path set of the proxy-fidelity table: N paths of the reference study's 500-path sample
(sample:500, eval seed 0), one at each evenly spaced rank quantile of the ground truth (cifar10-valid x-valid,
200-epoch seed mean), so the set has the sample's spread of accuracies.

usage: fidelity_paths.py STUDY_SQLITE GROUNDTRUTH_CSV N > benchmarks/fidelity_paths.txt
"""
import csv, sqlite3, sys

study, truth_csv, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(study)
sample = [r[0] for r in db.execute(
    "SELECT DISTINCT arch_idx FROM estimates JOIN runs ON runs.id = estimates.run_id "
    "WHERE runs.name = 'supernet-cifar10-small-k1-s0' AND estimator = 'supernet'")]
truth = {int(r["index"]): float(r["cifar10valid_xvalid_hp200_avg"]) for r in csv.DictReader(open(truth_csv))}
ranked = sorted(sample, key=lambda a: truth[a])
for i in range(n):
    print(ranked[int((i + 0.5) * len(ranked) / n)])
