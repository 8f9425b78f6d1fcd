import Foundation
import Reports

/// The study's notebook: it reads `study.json` beside it and the SQLite database (the recorded path, or `NB201_DB`),
/// recomputes every run's Kendall tau-b with scipy from the stored estimates and ground truth, rebuilds the per-K
/// summary, compares both with the report's CSVs, and redraws tau against K with matplotlib.
enum StudyNotebook {
    static func json(title: String) throws -> Data {
        try ReportNotebook.json(title: title, introduction: """
            Written by `nb201 reproduce`. Run it from this folder: it reads `study.json` (plan, runs, ground truths), the study's
            runs and estimates from `study.sqlite` beside it, and the ground truth from a benchmark database (the one recorded in
            `study.json`, or `NB201_DB`; `nb201 import-table <ground-truth CSV> --db FILE` makes one in a second). It recomputes
            Kendall tau-b of every run with scipy and compares the result with `runs.csv` and `summary.csv`.
            """, code: [setup, groundTruth, runs, summary, plot])
    }

    static let setup = #"""
        import json, os, sqlite3
        from pathlib import Path

        import pandas as pd
        from scipy import stats

        STUDY = json.loads(Path("study.json").read_text())
        PLAN = STUDY["results"]["plan"]
        # Estimates come from the extract beside this notebook; the ground truth from the benchmark database, attached
        # as `bench` (the one the study used, or NB201_DB: `nb201 import-table <ground-truth CSV> --db FILE` makes one).
        DB = os.environ.get("NB201_DB", STUDY["database"])
        assert Path(DB).exists(), f"no benchmark database at {DB}: import one (nb201 import-table ...) and set NB201_DB"
        con = sqlite3.connect("study.sqlite")
        con.execute("ATTACH DATABASE ? AS bench", (DB,))
        print("benchmark:", DB, "| command:", " ".join(STUDY["commandLine"]), "| code:", STUDY["codeVersion"])
        """#

    static let groundTruth = ReportNotebook.groundTruthFunction + #"""


        truths = {f"{g['dataset']} {g['split']}": ground_truth(g["dataset"], g["split"], PLAN["hp"], PLAN["seedPolicy"])
                  for g in STUDY["results"]["groundTruths"]}
        """#

    static let runs = #"""
        rows = []
        for run in STUDY["results"]["runs"]:
            if not run["complete"]:
                continue
            est = pd.read_sql_query("SELECT arch_idx, score FROM estimates WHERE run_id = ? AND estimator = 'supernet'",
                                    con, params=(run["id"],)).set_index("arch_idx").score
            for name, truth in truths.items():
                common = est.index.intersection(truth.index)
                tau = stats.kendalltau(est[common], truth[common]).statistic
                label = f"few-shot e{run['splitEdge']}" if run.get("splitEdge") is not None else f"K={run['k']}"
                rows.append({"run": run["name"], "k": run["k"], "label": label, "seed": run["seed"], "truth": name, "tau": tau,
                             "paths": len(common)})
        recomputed = pd.DataFrame(rows)
        nb201 = pd.read_csv("runs.csv")
        merged = recomputed.merge(nb201, on=["run", "truth"])
        print("largest difference from runs.csv:", (merged.tau - merged.kendall_tau_b).abs().max())
        recomputed
        """#

    static let summary = #"""
        table = recomputed.groupby(["truth", "label"]).tau.agg(["count", "mean", "std"]).reset_index()
        report = pd.read_csv("summary.csv").rename(columns={"mean_kendall_tau_b": "nb201_mean"})
        table = table.merge(report[["truth", "label", "nb201_mean"]], on=["truth", "label"])
        print("largest difference from summary.csv:", (table["mean"] - table.nb201_mean).abs().max())
        table
        """#

    static let plot = #"""
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        for name, group in recomputed[recomputed["label"].str.startswith("K=")].groupby("truth"):
            means = group.groupby("k").tau.mean()
            ax.plot(means.index, means.values, marker="o", label=f"{name} (mean)")
            ax.scatter(group.k, group.tau, s=12, alpha=0.5)
        ax.set_xlabel("K (1 = one-shot)"); ax.set_ylabel("Kendall tau-b"); ax.legend(); ax.grid(alpha=0.3)
        plt.show()
        """#
}
