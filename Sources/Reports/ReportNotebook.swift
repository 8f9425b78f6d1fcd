import Ranking
import Foundation

/// The report's Jupyter notebook (nbformat 4.5): it reads `protocol.json` beside it and the SQLite database
/// (the recorded path, or `NB201_DB`) with sqlite3 and pandas, rebuilds the ranking table with scipy and draws the
/// scatter plots with matplotlib, so the numbers can be checked by an independent implementation.
public enum ReportNotebook {
    public static func json(title: String, protocolLine: String) throws -> Data {
        try json(title: title, introduction: """
            \(protocolLine)

            Written by `nb201 report`. Run it from this folder: it reads `protocol.json` (estimators and protocol) and the
            SQLite database recorded there; set `NB201_DB` to read another copy. The table below is rebuilt from the
            tables `trials`/`results` (ground truth) and `estimates`/`costs` (estimators) and compared with `ranking.csv`.
            """, code: [setup, groundTruth, estimators, table, scatter])
    }

    /// A notebook of a title and introduction (Markdown) followed by code cells.
    public static func json(title: String, introduction: String, code: [String]) throws -> Data {
        let cells: [(kind: String, source: String)] = [("markdown", "# \(title)\n\n\(introduction)")] + code.map { ("code", $0) }
        let notebook: [String: Any] = [
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": [
                "kernelspec": ["name": "python3", "display_name": "Python 3", "language": "python"],
                "language_info": ["name": "python"],
            ],
            "cells": cells.enumerated().map { i, cell -> [String: Any] in
                var c: [String: Any] = ["cell_type": cell.kind, "id": "cell-\(i)", "metadata": [String: Any](), "source": lines(cell.source)]
                if cell.kind == "code" {
                    c["outputs"] = [Any]()
                    c["execution_count"] = NSNull()
                }
                return c
            },
        ]
        return try JSONSerialization.data(withJSONObject: notebook, options: [.prettyPrinted, .sortedKeys])
    }

    /// nbformat's multi-line string: a list of lines, each but the last ending in a newline.
    static func lines(_ text: String) -> [String] {
        let parts = text.components(separatedBy: "\n")
        return parts.enumerated().map { $0.offset == parts.count - 1 ? $0.element : $0.element + "\n" }
    }

    static let setup = #"""
        import json, math, os, sqlite3
        from pathlib import Path

        import matplotlib.pyplot as plt
        import pandas as pd
        from scipy import stats

        REPORT = json.loads(Path("protocol.json").read_text())
        PROTOCOL = REPORT["protocol"]
        # The benchmark (ground truth, costs, architectures) is attached as `bench`; estimates are read from the runs
        # database (an extract shipped beside the report, or the same file).
        DB = os.environ.get("NB201_DB", REPORT["database"])
        RUNS_DB = REPORT.get("runs_database") or DB
        assert Path(DB).exists(), f"no benchmark database at {DB}: import one (nb201 import-table ...) and set NB201_DB"
        con = sqlite3.connect(RUNS_DB)
        con.execute("ATTACH DATABASE ? AS bench", (DB,))
        print("benchmark:", DB, "| estimates:", RUNS_DB)
        print("protocol:", json.dumps(PROTOCOL))
        """#

    /// The Python definition of `ground_truth(dataset, split, hp, seed)` over the database's trials and results, the
    /// way nb201's seed policies read them (shared by every notebook nb201 writes).
    public static let groundTruthFunction = #"""
        def ground_truth(dataset, split, hp, seed):
            """Accuracy per architecture; seed 'mean' averages seeded runs where any exist, else the published mean."""
            rows = pd.read_sql_query(
                "SELECT t.arch_idx, t.seed, r.accuracy FROM bench.trials t JOIN bench.results r ON r.trial_id = t.id "
                "WHERE t.dataset = ? AND t.hp = ? AND r.split = ? AND r.accuracy IS NOT NULL",
                con, params=(dataset, hp, split))
            seeded = rows[rows.seed.str.fullmatch(r"[0-9]+")]
            if seed == "mean":
                mean_of_seeds = seeded.groupby("arch_idx").accuracy.mean()
                published = rows[rows.seed == "mean"].groupby("arch_idx").accuracy.max()
                truth = pd.concat([mean_of_seeds, published.drop(mean_of_seeds.index, errors="ignore")])
            elif seed == "unknown":
                truth = rows[rows.seed == "unknown"].groupby("arch_idx").accuracy.max()
            else:
                truth = seeded[seeded.seed.astype(int) == int(seed)].groupby("arch_idx").accuracy.max()
            return truth.sort_index().rename("truth")
        """#

    static let groundTruth = groundTruthFunction + #"""


        truth = ground_truth(PROTOCOL["dataset"], PROTOCOL["split"], PROTOCOL["hp"], PROTOCOL["seedPolicy"])
        architectures = pd.read_sql_query("SELECT idx, arch_str, op_codes, iso_class FROM bench.architectures", con).set_index("idx")
        print(len(truth), "architectures with a ground truth")
        """#

    static let estimators = #"""
        by_name = {**dict(zip(architectures.arch_str, architectures.index)), **dict(zip(architectures.op_codes, architectures.index))}

        def resolve(key):
            """A benchmark index, arch string or 6 op codes, as nb201 accepts them."""
            key = key.strip()
            return int(key) if key.isdigit() and len(key) != 6 else int(by_name[key])

        def load(origin):
            if origin["kind"] == "run":
                s = pd.read_sql_query("SELECT arch_idx, score FROM estimates WHERE run_id = ? AND estimator = ?",
                                      con, params=(origin["run_id"], origin["estimator"]))
            elif origin["kind"] == "baseline":
                column = {"params": "params", "flops": "flops"}[origin["baseline"]]
                s = pd.read_sql_query(f"SELECT arch_idx, {column} AS score FROM bench.costs WHERE dataset = ? AND origin = 'cost-model'",
                                      con, params=(PROTOCOL["dataset"],))
            else:
                csv = pd.read_csv(origin["path"], dtype=str, keep_default_na=False)
                key = "index" if "index" in csv.columns else "arch"
                s = pd.DataFrame({"arch_idx": csv[key].map(resolve), "score": csv[origin["column"]].astype(float)})
            return s.set_index("arch_idx").score

        scores = {e["name"]: load(e["origin"]) for e in REPORT["estimators"]}
        for name, s in scores.items():
            print(f"{name}: {len(s)} scores")
        """#

    static let table = #"""
        def compared(estimator):
            """(estimate, truth) pairs under the protocol's subset, as nb201's GroundTruthRanking.pairs chooses them."""
            s = scores[estimator["name"]]
            common = s.index.intersection(truth.index).sort_values()
            subset = PROTOCOL["subset"]
            if subset.startswith("sample:"):
                # nb201's seeded sample is read back from the file the report wrote.
                common = common.intersection(pd.read_csv(estimator["sample_file"]).arch_idx)
            elif subset.startswith("top:"):
                keep = max(2, math.floor(len(common) * float(subset[4:]) + 0.5))
                order = pd.DataFrame({"t": truth[common], "i": common}).sort_values(["t", "i"], ascending=[False, True])
                common = order.i.iloc[:keep].sort_values()
            if subset == "non-isomorphic":
                # Class means as nb201 takes them: members in index order, the common value exactly when they agree.
                def class_mean(v):
                    v = list(v)
                    return v[0] if all(x == v[0] for x in v) else sum(v) / len(v)
                iso = architectures.iso_class
                ordered_truth = truth.sort_index()
                truth_by_class = ordered_truth.groupby(iso[ordered_truth.index].values).agg(class_mean)
                ordered = pd.Index(sorted(common))
                estimate_by_class = s[ordered].groupby(iso[ordered].values).agg(class_mean)
                return pd.DataFrame({"estimate": estimate_by_class, "truth": truth_by_class[estimate_by_class.index]})
            return pd.DataFrame({"estimate": s[common].values, "truth": truth[common].values}, index=common)

        pairs = {e["name"]: compared(e) for e in REPORT["estimators"]}
        rows = []
        for name, p in pairs.items():
            rows.append({"estimator": name, "n": len(p),
                         "kendall_tau_b": stats.kendalltau(p.estimate, p.truth).statistic,
                         "spearman_rho": stats.spearmanr(p.estimate, p.truth).statistic,
                         "pearson_r": stats.pearsonr(p.estimate, p.truth).statistic})
        table = pd.DataFrame(rows).set_index("estimator")
        nb201 = pd.read_csv("ranking.csv").set_index("estimator")
        for metric in ["kendall_tau_b", "spearman_rho", "pearson_r"]:
            table[f"{metric} (nb201)"] = nb201.loc[table.index, metric]
        difference = max((table[m] - table[f"{m} (nb201)"]).abs().max() for m in ["kendall_tau_b", "spearman_rho", "pearson_r"])
        print(f"largest difference from nb201's table: {difference:.2e}")
        table
        """#

    static let scatter = #"""
        for name, p in pairs.items():
            tau = stats.kendalltau(p.estimate, p.truth).statistic
            fig, ax = plt.subplots(figsize=(6.4, 4.8))
            ax.scatter(p.estimate, p.truth, s=4, alpha=0.45)
            ax.set_title(f"{name}: Kendall tau-b = {tau:.3f} ({len(p)} points)")
            ax.set_xlabel(f"{name} (estimate)")
            ax.set_ylabel(f"{PROTOCOL['dataset']} {PROTOCOL['split']} accuracy % (hp {PROTOCOL['hp']}, seed {PROTOCOL['seedPolicy']})")
            ax.grid(alpha=0.3)
            plt.show()
        """#
}
