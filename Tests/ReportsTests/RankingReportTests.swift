import Ranking
import Foundation
import Testing
import SearchSpace
import TestSupport
@testable import Reports
@testable import Store

/// A store whose cifar10 ori-test ground truth (hp 200, published mean) is 60 + index/20 for architectures 0..<n,
/// so any estimator increasing in the index ranks perfectly. The merged ground-truth layout, cifar10 column only.
private func reportStore(n: Int = 300) throws -> (BenchmarkStore, URL) {
    let dir = SharedData.temporaryDirectory()
    let columns = ["index", "arch_str", "op_codes", "cifar10_test_hp200_avg", "cifar100_xtest_hp200_avg", "imagenet16_120_xtest_hp200_avg",
                   "cifar10valid_xvalid_hp200_avg", "cifar10valid_oritest_hp200_avg", "cifar10valid_train_hp200_avg",
                   "cifar10_test_hp12_1seed", "cifar100_xtest_hp12_1seed", "imagenet16_120_xtest_hp12_1seed", "unique_str"]
    var lines = [columns.joined(separator: ",")]
    for i in 0..<n {
        let cell = try Cell(ordinal: (i * 104_729) % Cell.spaceSize)
        lines.append(([String(i), cell.archString, cell.opCodes, String(60 + Double(i) / 20)] + Array(repeating: "", count: 8)
            + [cell.canonicalForm]).joined(separator: ","))
    }
    let csv = dir.appendingPathComponent("truth.csv").path
    try lines.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
    let store = try BenchmarkStore(path: dir.appendingPathComponent("report.sqlite").path)
    _ = try store.importTable(path: csv, allowPartial: true)
    return (store, dir)
}

private func reportStudy(_ store: BenchmarkStore, subset: RankingSubset = .all) throws -> GroundTruthRanking {
    let truth = try store.groundTruth(dataset: "cifar10", split: "ori-test", hp: 200, seed: .mean)
    let proto = RankingProtocol(dataset: truth.dataset, split: truth.split, hp: truth.hp, seedPolicy: truth.seed,
                                subset: subset.description, topK: [5], bootstrapResamples: 50, bootstrapSeed: 2, level: 0.9)
    return GroundTruthRanking(truth: Dictionary(uniqueKeysWithValues: truth.rows.map { ($0.index, $0.accuracy) }),
                        isoClass: try store.isomorphismClasses(), subset: subset, rankingProtocol: proto)
}

private func jsonObject(_ url: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
}

@Suite struct RankingReportTests {
    @Test func kendallMatrixAgreesWithTheTable() throws {
        let (store, _) = try reportStore()
        let study = try reportStudy(store)
        let increasing = EstimatorScores(name: "up", source: "t", scores: Dictionary(uniqueKeysWithValues: (0..<300).map { ($0, Double($0)) }))
        let decreasing = EstimatorScores(name: "down", source: "t", scores: Dictionary(uniqueKeysWithValues: (0..<200).map { ($0, -Double($0)) }))
        let params = try store.baselineScores("params", dataset: "cifar10")
        let m = study.kendallMatrix([increasing, decreasing, params])
        #expect(m.count == 4 && m.allSatisfy { $0.count == 4 })
        for i in 0..<4 {
            #expect(m[i][i] == 1)
            for j in 0..<4 { #expect(m[i][j] == m[j][i]) }
        }
        #expect(m[0][1] == -1 && m[0][3] == 1 && m[1][3] == -1)
        let row = try study.row(params)
        #expect(m[2][3] == row.metric("kendall_tau_b")?.value)
        #expect(try #require(m[0][2]).isApproximately(try #require(m[2][3])), "up ranks like the truth, so params agrees equally with both")
        let heat = study.heatMap([increasing, params])
        #expect(heat.labels == ["up", "params", "ground truth"])
    }

    @Test func reportFolderHoldsEveryFile() throws {
        let (store, dir) = try reportStore()
        let estimatorCSV = dir.appendingPathComponent("noisy.csv")
        try ("index,score\n" + (0..<300).map { "\($0),\(Double($0) + Double(($0 * 37) % 50))" }.joined(separator: "\n"))
            .write(to: estimatorCSV, atomically: true, encoding: .utf8)
        let selection = EstimatorSelection(csvFiles: [estimatorCSV.path], baselines: ["params", "flops"])
        let estimators = try selection.load(from: store, dataset: "cifar10")
        #expect(estimators.map(\.origin) == [.csv(estimatorCSV.standardizedFileURL.path, column: "score"), .baseline("params"), .baseline("flops")])
        let out = dir.appendingPathComponent("report")
        let report = RankingReport(ranking: try reportStudy(store), estimators: estimators, databasePath: "/data/nb201.sqlite",
                                   commandLine: ["nb201", "report"], codeVersion: "abc", maxScatterPoints: 100)
        let written = try report.write(to: out)
        let expected = ["ranking.md", "ranking.csv", "scatter-noisy.svg", "scatter-params.svg", "scatter-flops.svg",
                        "correlation-heatmap.svg", "protocol.json", "report.ipynb"]
        #expect(written == expected)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out.path)) == Set(expected))
        #expect(try String(contentsOf: out.appendingPathComponent("ranking.md"), encoding: .utf8).contains("| noisy | 300 |"))
        let scatter = try String(contentsOf: out.appendingPathComponent("scatter-noisy.svg"), encoding: .utf8)
        #expect(scatter.components(separatedBy: "<circle").count - 1 == 100 && scatter.contains("100 of 300 points drawn"))

        let proto = try jsonObject(out.appendingPathComponent("protocol.json"))
        #expect(proto["database"] as? String == "/data/nb201.sqlite" && proto["code_version"] as? String == "abc")
        let entries = try #require(proto["estimators"] as? [[String: Any]])
        #expect(entries.map { $0["name"] as? String } == ["noisy", "params", "flops"])
        #expect((entries[1]["origin"] as? [String: Any])?["baseline"] as? String == "params")
        #expect((proto["protocol"] as? [String: Any])?["subset"] as? String == "all")
    }

    @Test func notebookIsNbformat4WithIdsAndAKernel() throws {
        let data = try ReportNotebook.json(title: "Ranking report: a", protocolLine: "ground truth: cifar10")
        let notebook = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(notebook["nbformat"] as? Int == 4 && notebook["nbformat_minor"] as? Int == 5)
        let kernel = try #require((notebook["metadata"] as? [String: Any])?["kernelspec"] as? [String: Any])
        #expect(kernel["name"] as? String == "python3" && kernel["language"] as? String == "python")
        let cells = try #require(notebook["cells"] as? [[String: Any]])
        let ids = cells.compactMap { $0["id"] as? String }
        #expect(ids.count == cells.count && Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.range(of: "^[A-Za-z0-9_-]{1,64}$", options: .regularExpression) != nil })
        for cell in cells {
            let source = try #require(cell["source"] as? [String])
            #expect(source.dropLast().allSatisfy { $0.hasSuffix("\n") } && cell["metadata"] is [String: Any])
            if cell["cell_type"] as? String == "code" {
                #expect(cell["outputs"] as? [Any] != nil && cell["execution_count"] is NSNull)
            } else {
                #expect(cell["cell_type"] as? String == "markdown" && cell["outputs"] == nil)
            }
        }
        let code = cells.filter { $0["cell_type"] as? String == "code" }.map { ($0["source"] as! [String]).joined() }.joined()
        for needle in ["sqlite3.connect", "pandas", "NB201_DB", "stats.kendalltau", "stats.spearmanr", "FROM estimates", "FROM bench.costs",
                       "JOIN bench.results", "ATTACH DATABASE", "ax.scatter", "protocol.json"] {
            #expect(code.contains(needle), "notebook code should contain \(needle)")
        }
    }

    @Test func sampledSubsetsWriteTheirArchitectures() throws {
        let (store, dir) = try reportStore()
        let estimators = try EstimatorSelection(baselines: ["params"]).load(from: store, dataset: "cifar10")
        let out = dir.appendingPathComponent("sampled")
        let study = try reportStudy(store, subset: .sample(40, seed: 9))
        let written = try RankingReport(ranking: study, estimators: estimators, databasePath: "db", commandLine: [], codeVersion: nil)
            .write(to: out)
        #expect(written.contains("subset-params.csv"))
        let keys = try String(contentsOf: out.appendingPathComponent("subset-params.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { Int($0)! }
        #expect(keys.map(String.init) == study.pairs(estimators[0].scores).keys && keys.count == 40)
        let entries = try #require(try jsonObject(out.appendingPathComponent("protocol.json"))["estimators"] as? [[String: Any]])
        #expect(entries[0]["sample_file"] as? String == "subset-params.csv")
    }

    @Test func runEstimatorsKeepTheirEstimatorName() throws {
        let (store, _) = try reportStore()
        let single = try store.createRun(kind: .supernet, name: "oneshot", dataset: "cifar10", seed: 0, protocolJSON: "{}", codeVersion: "t")
        try store.addEstimates(run: single.id, (0..<50).map { Estimate(arch: $0, estimator: "supernet", score: Double($0)) })
        let proxies = try store.createRun(kind: .proxies, name: "zc", dataset: "cifar10", seed: 0, protocolJSON: "{}", codeVersion: "t")
        try store.addEstimates(run: proxies.id, (0..<50).flatMap {
            [Estimate(arch: $0, estimator: "synflow", score: Double($0)), Estimate(arch: $0, estimator: "supernet", score: -Double($0))]
        })
        let loaded = try EstimatorSelection(runs: ["oneshot", String(proxies.id)]).load(from: store, dataset: "cifar10")
        #expect(loaded.map(\.scores.name) == ["oneshot", "zc/supernet", "zc/synflow"])
        #expect(loaded.map(\.origin) == [.run(single.id, estimator: "supernet"), .run(proxies.id, estimator: "supernet"),
                                         .run(proxies.id, estimator: "synflow")])
    }

    @Test func fileStemsAreSafeAndDistinct() {
        #expect(RankingReport.fileStems(["run/synflow", "run synflow", "a.b", ""]) == ["run-synflow", "run-synflow-2", "a.b", "estimator"])
    }
}
