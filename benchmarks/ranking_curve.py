#!/usr/bin/env python3
"""Kendall tau-b along supernet training, beside reference estimators, on one fixed set of paths.

For each supernet run: every snapshot estimator (supernet@epochE) and the final one (supernet), restricted to the
paths file, ranked against the ground truth (200-epoch seed mean of a benchmark column); core-hours are the run's
training seconds up to that epoch (its per-epoch log) plus the evaluation seconds of those paths. Reference rows
(a stand-alone reduced-training run, params, zero-cost proxies) are ranked on the same paths where they cover them.
Writes NAME.md, NAME.csv and NAME.svg (tau against epochs and against core-hours) into --out.

usage: ranking_curve.py --truth CSV --column cifar10valid_xvalid_hp200_avg --paths FILE --out DIR --name NAME
                        --run DB RUN [--run ...] [--reference LABEL DB RUN ESTIMATOR ...]
"""
import argparse, csv, math, os, random, re, sqlite3, sys

from scipy.stats import kendalltau



def open_readonly(path):
    """A database that must exist: sqlite3.connect would create an empty file at a mistyped path."""
    if not os.path.isfile(path):
        sys.exit(f"ranking_curve: no database at {path}")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)

def tau_with_interval(xs, ys, resamples=1000, seed=0):
    t = kendalltau(xs, ys).statistic
    rng = random.Random(seed)
    n = len(xs)
    boot = []
    for _ in range(resamples):
        idx = [rng.randrange(n) for _ in range(n)]
        b = kendalltau([xs[i] for i in idx], [ys[i] for i in idx]).statistic
        if not math.isnan(b):
            boot.append(b)
    boot.sort()
    return t, boot[int(0.025 * len(boot))], boot[int(0.975 * len(boot)) - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True)
    ap.add_argument("--column", default="cifar10valid_xvalid_hp200_avg")
    ap.add_argument("--paths", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--run", action="append", nargs=2, default=[], metavar=("DB", "RUN"))
    ap.add_argument("--reference", action="append", nargs=4, default=[], metavar=("LABEL", "DB", "RUN", "ESTIMATOR"))
    a = ap.parse_args()

    table = list(csv.DictReader(open(a.truth)))
    truth = {int(r["index"]): float(r[a.column]) for r in table if r[a.column]}
    op_codes = {int(r["index"]): r["op_codes"] for r in table}
    paths = [int(l) for l in open(a.paths) if l.strip()]
    rows = []  # (series, label, epoch, core_hours, n, tau, lo, hi)
    finals = []  # (series, {path: score}) of each run's final estimator, for the operation-bias table

    for db_path, run in a.run:
        db = open_readonly(db_path)
        run_id, = db.execute("SELECT id FROM runs WHERE name = ?", (run,)).fetchone()
        epochs = db.execute("SELECT epoch, seconds FROM run_epochs WHERE run_id = ? ORDER BY epoch", (run_id,)).fetchall()
        total_epochs = len(epochs)
        cumulative = {}
        s = 0.0
        for e, sec in epochs:
            s += sec or 0
            cumulative[e + 1] = s
        for estimator, in db.execute("SELECT DISTINCT estimator FROM estimates WHERE run_id = ?", (run_id,)):
            m = re.fullmatch(r"supernet@epoch(\d+)", estimator)
            epoch = int(m.group(1)) if m else (total_epochs if estimator == "supernet" else None)
            if epoch is None or epoch not in cumulative:
                continue
            est = dict(db.execute("SELECT arch_idx, score FROM estimates WHERE run_id = ? AND estimator = ?", (run_id, estimator)))
            seconds = dict(db.execute("SELECT arch_idx, seconds FROM estimates WHERE run_id = ? AND estimator = ?", (run_id, estimator)))
            common = [p for p in paths if p in est and p in truth]
            if len(common) < 10:
                continue
            if estimator == "supernet":
                finals.append((run, {p: est[p] for p in common}))
            t, lo, hi = tau_with_interval([truth[p] for p in common], [est[p] for p in common])
            hours = (cumulative[epoch] + sum(seconds[p] or 0 for p in common)) / 3600
            rows.append((run, estimator, epoch, hours, len(common), t, lo, hi))

    references = []
    for label, db_path, run, estimator in a.reference:
        db = open_readonly(db_path)
        run_id, = db.execute("SELECT id FROM runs WHERE name = ?", (run,)).fetchone()
        est = dict(db.execute("SELECT arch_idx, score FROM estimates WHERE run_id = ? AND estimator = ?", (run_id, estimator)))
        seconds = db.execute("SELECT sum(seconds), count(*) FROM estimates WHERE run_id = ? AND estimator = ?", (run_id, estimator)).fetchone()
        common = [p for p in paths if p in est and p in truth]
        if len(common) < 10:
            continue
        t, lo, hi = tau_with_interval([truth[p] for p in common], [est[p] for p in common])
        per_path = (seconds[0] or 0) / max(seconds[1], 1)
        references.append((label, len(common), t, lo, hi, per_path))

    os.makedirs(a.out, exist_ok=True)
    rows.sort(key=lambda r: (r[0], r[2]))
    with open(os.path.join(a.out, a.name + ".csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["series", "estimator", "epoch", "core_hours", "paths", "kendall_tau_b", "ci_low", "ci_high"])
        for r in rows:
            w.writerow([r[0], r[1], r[2], f"{r[3]:.3f}", r[4], f"{r[5]:.4f}", f"{r[6]:.4f}", f"{r[7]:.4f}"])
        for label, n, t, lo, hi, _ in references:
            w.writerow([label, "reference", "", "", n, f"{t:.4f}", f"{lo:.4f}", f"{hi:.4f}"])

    with open(os.path.join(a.out, a.name + ".md"), "w") as f:
        f.write(f"Kendall tau-b against `{a.column}` on the {len(paths)} paths of `{os.path.basename(a.paths)}` "
                "(95% bootstrap intervals over paths, 1,000 resamples). Core-hours: training up to the epoch plus "
                "evaluating these paths, single-thread runs.\n\n")
        f.write("| run | estimator | epoch | core-hours | paths | tau-b [95% CI] |\n|---|---|---:|---:|---:|---|\n")
        for r in rows:
            f.write(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]} | {r[5]:.3f} [{r[6]:.3f}, {r[7]:.3f}] |\n")
        if references:
            f.write("\nReference estimators; seconds per path are the ones each recorded: training and scoring for reduced "
                    "training, scoring only for supernets (their training is shared by all paths) and proxies.\n")
            f.write("\n| reference | paths | tau-b [95% CI] | seconds per path |\n|---|---:|---|---:|\n")
            for label, n, t, lo, hi, per in references:
                f.write(f"| {label} | {n} | {t:.3f} [{lo:.3f}, {hi:.3f}] | {per:.1f} |\n")

        if finals:
            # What each ranking rewards: tau-b between the score and how many of the 6 edges carry each operation.
            ops = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
            f.write("\n| Kendall tau-b of the score against the count of | " + " | ".join(ops) + " |\n|---|" + "---:|" * len(ops) + "\n")
            for label, scores in [("truth", {p: truth[p] for p in finals[0][1]})] + finals:
                keys = sorted(scores)
                cells = [kendalltau([op_codes[p].count(str(o)) for p in keys], [scores[p] for p in keys]).statistic for o in range(5)]
                f.write(f"| {label} ({len(keys)} paths) | " + " | ".join(f"{c:+.3f}" for c in cells) + " |\n")

    if rows:
        write_svg(os.path.join(a.out, a.name + ".svg"), rows, references)


def write_svg(path, rows, references):
    """Two panels: tau against epochs, tau against core-hours; references as dashed horizontal lines."""
    width, height, pad = 900, 360, 50
    panel = (width - 3 * pad) / 2
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    ref_colors = ["#7f7f7f", "#bcbd22", "#17becf", "#e377c2"]
    series = sorted({r[0] for r in rows})
    taus = [r[5] for r in rows] + [r[2] for r in references] + [0.0, 0.6]
    lo_t, hi_t = min(taus) - 0.05, max(taus) + 0.05
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>']

    def y(t):
        return pad + (hi_t - t) / (hi_t - lo_t) * (height - 2 * pad)

    for p, (key, title) in enumerate([(2, "epochs"), (3, "core-hours")]):
        x0 = pad + p * (panel + pad)
        xmax = max([r[key] for r in rows] + [1e-9]) * 1.05

        def x(v):
            return x0 + v / xmax * panel

        out.append(f'<rect x="{x0}" y="{pad}" width="{panel}" height="{height - 2 * pad}" fill="none" stroke="#333"/>')
        out.append(f'<text x="{x0 + panel / 2}" y="{height - 12}" text-anchor="middle">{title}</text>')
        for t in [v / 10 for v in range(-10, 11) if lo_t <= v / 10 <= hi_t]:
            out.append(f'<line x1="{x0}" x2="{x0 + panel}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#eee"/>')
            out.append(f'<text x="{x0 - 4}" y="{y(t) + 4:.1f}" text-anchor="end">{t:.1f}</text>')
        for i, v in enumerate([xmax / 4 * k for k in range(1, 5)]):
            out.append(f'<text x="{x(v):.1f}" y="{height - pad + 14}" text-anchor="middle">{v:.3g}</text>')
        for j, (label, n, t, lo, hi, _) in enumerate(references):
            c = ref_colors[j % len(ref_colors)]
            out.append(f'<line x1="{x0}" x2="{x0 + panel}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="{c}" stroke-dasharray="5,4"/>')
            if p == 1:
                out.append(f'<text x="{x0 + panel - 4}" y="{y(t) - 3:.1f}" text-anchor="end" fill="{c}">{label} {t:.2f}</text>')
        for i, s in enumerate(series):
            c = colors[i % len(colors)]
            pts = [r for r in rows if r[0] == s]
            out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (c, " ".join(f"{x(r[key]):.1f},{y(r[5]):.1f}" for r in pts)))
            for r in pts:
                out.append(f'<line x1="{x(r[key]):.1f}" x2="{x(r[key]):.1f}" y1="{y(r[6]):.1f}" y2="{y(r[7]):.1f}" stroke="{c}"/>')
                out.append(f'<circle cx="{x(r[key]):.1f}" cy="{y(r[5]):.1f}" r="3" fill="{c}"/>')
            if p == 0:
                out.append(f'<text x="{x0 + 6}" y="{pad + 14 + 14 * i}" fill="{c}">{s}</text>')
    out.append(f'<text x="{pad}" y="{pad - 12}">Kendall tau-b (95% CI)</text>')
    out.append("</svg>")
    open(path, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
