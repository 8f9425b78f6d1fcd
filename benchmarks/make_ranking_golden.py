#!/usr/bin/env python3
"""Writes data/fixtures/ranking_golden.json: scipy's values of kendalltau (b and c), spearmanr, pearsonr and
weightedtau on seeded random and tie-heavy vectors, for RankingTests to compare against (1e-12).
Also scipy's values on two columns of the real ground truth when ../shared has it.
Run once from the package root: python3 benchmarks/make_ranking_golden.py (needs numpy, scipy 1.17)."""
import csv
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats

ALTERNATIVES = ["two-sided", "less", "greater"]
GROUND_TRUTH = "../shared/data/groundtruth/nb201_groundtruth_merged.csv"


def short(v):
    """Six significant digits keep the fixture small; the vectors are the inputs, so nothing is lost."""
    return [float(f"{x:.6g}") for x in v]


def cases(rng):
    def corr(n, rho, decimals=None):
        x = rng.normal(size=n)
        y = rho * x + np.sqrt(1 - rho * rho) * rng.normal(size=n)
        if decimals is not None:
            return np.round(x, decimals), np.round(y, decimals)
        return short(x), short(y)

    # Untied, exact p-value region (n <= 33) and past it.
    for n in (2, 3, 4, 5, 7, 10, 16, 25, 33, 34, 50):
        yield f"untied n={n}", *corr(n, 0.5)
    yield "untied anti n=12", *corr(12, -0.8)
    yield "untied n=100", *corr(100, 0.3)
    yield "untied n=300", *corr(300, 0.7)
    yield "untied n=500 weak", *corr(500, 0.05)
    # Exact p-value for large n when the rankings are at most one swap from agreeing or opposing.
    x = list(range(40))
    yield "sorted n=40", x, [2 * v + 1 for v in x]
    y = list(range(40)); y[10], y[11] = y[11], y[10]
    yield "one swap n=40", x, y
    yield "reversed one swap n=60", list(range(60)), [59 - v for v in range(60)][:5] + [53, 54] + [52 - v for v in range(53)]
    # Ties: small integer scores, ties in one or both, rounded accuracy-like scores.
    yield "ties ints n=10", rng.integers(0, 3, 10).tolist(), rng.integers(0, 3, 10).tolist()
    yield "ties ints n=30", rng.integers(0, 5, 30).tolist(), rng.integers(0, 5, 30).tolist()
    a = rng.integers(0, 4, 50)
    yield "ties in x only n=50", a.tolist(), short(a + rng.normal(size=50))
    b = rng.integers(0, 10, 100)
    yield "ties both n=100", b.tolist(), (b // 2 + rng.integers(0, 3, 100)).tolist()
    yield "rounded n=200", *corr(200, 0.8, decimals=1)
    c = rng.integers(0, 4, 400)
    yield "heavy ties n=400", c.tolist(), (c + rng.integers(0, 3, 400)).tolist()
    yield "ties two values n=8", [0, 1, 0, 1, 1, 0, 1, 0], [1, 1, 0, 0, 1, 0, 1, 1]
    yield "ties perfect n=20", [v // 4 for v in range(20)], [v // 2 for v in range(20)]


def number(v):
    v = float(v)
    return None if np.isnan(v) else v


def golden(x, y):
    out = {"kendall_b": {}, "kendall_c": {}, "spearman": {}, "pearson": {}}
    for alt in ALTERNATIVES:
        for variant in ("b", "c"):
            r = stats.kendalltau(x, y, variant=variant, alternative=alt)
            out[f"kendall_{variant}"][alt] = [number(r.statistic), number(r.pvalue)]
        r = stats.spearmanr(x, y, alternative=alt)
        out["spearman"][alt] = [number(r.statistic), number(r.pvalue)]
        r = stats.pearsonr(x, y, alternative=alt)
        out["pearson"][alt] = [number(r.statistic), number(r.pvalue)]
    if len(x) > 2:  # scipy divides by n - 2 in the tie term of the variance
        out["kendall_b_asymptotic"] = [number(v) for v in stats.kendalltau(x, y, method="asymptotic")]
    out["weighted_tau"] = number(stats.weightedtau(x, y).statistic)
    out["sparse_tau_1"] = number(stats.kendalltau(x, np.round(np.asarray(y, dtype=float), 1)).statistic)
    return out


def ground_truth_golden(path, col_a, col_b):
    """scipy's values on two columns of the real ground truth (15,625 cells, many ties); the vectors stay in
    ../shared and the test reads them there."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    x = [float(r[col_a]) for r in rows]
    y = [float(r[col_b]) for r in rows]
    return {"file": os.path.basename(path), "x_column": col_a, "y_column": col_b, **golden(x, y)}


def main():
    rng = np.random.default_rng(20260329)
    records = []
    for name, x, y in cases(rng):
        x = [float(v) for v in x]
        y = [float(v) for v in y]
        records.append({"name": name, "x": x, "y": y, **golden(x, y)})
    out = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": records}
    if os.path.exists(GROUND_TRUTH):
        out["ground_truth"] = ground_truth_golden(GROUND_TRUTH, "cifar10_test_hp200_avg", "cifar100_xtest_hp200_avg")
    path = sys.argv[1] if len(sys.argv) > 1 else "data/fixtures/ranking_golden.json"
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
