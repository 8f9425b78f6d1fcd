#!/usr/bin/env python3
"""scipy.stats.kendalltau on two columns of a ground-truth CSV, timed like ranking-benchmark.
Usage: ranking_scipy_bench.py CSV COLUMN_A COLUMN_B [REPEATS]"""
import csv
import sys
import time

import numpy as np
import scipy
from scipy import stats


def main():
    path, col_a, col_b = sys.argv[1:4]
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    a = np.array([float(r[col_a]) for r in rows])
    b = np.array([float(r[col_b]) for r in rows])
    seconds = []
    cpu_start = time.process_time()
    for _ in range(repeats):
        start = time.perf_counter()
        res = stats.kendalltau(a, b)
        seconds.append(time.perf_counter() - start)
    cpu = (time.process_time() - cpu_start) / repeats
    seconds.sort()
    print(f"scipy {scipy.__version__} kendalltau_b n={len(a)} tau={res.statistic:.15f} p={res.pvalue:.6e} "
          f"median_ms={seconds[len(seconds) // 2] * 1e3:.3f} min_ms={seconds[0] * 1e3:.3f} cpu_ms={cpu * 1e3:.3f}")


if __name__ == "__main__":
    main()
