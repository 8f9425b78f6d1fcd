import Ranking
import Foundation
import Testing
import SearchSpace
import TestSupport
@testable import Reports
@testable import Store

/// A store with architectures 0..<n whose ground truth (cifar10 ori-test, hp 200, published mean) is 50 + index/10.
private func storeWithTruth(n: Int = 400) throws -> (BenchmarkStore, URL) {
    let dir = SharedData.temporaryDirectory()
    var lines = ["index,arch_str,op_codes,cifar10_test_hp200_avg,cifar100_xtest_hp200_avg,imagenet16_120_xtest_hp200_avg,cifar10valid_xvalid_hp200_avg,cifar10valid_oritest_hp200_avg,cifar10valid_train_hp200_avg,cifar10_test_hp12_1seed,cifar100_xtest_hp12_1seed,imagenet16_120_xtest_hp12_1seed,unique_str"]
    for i in 0..<n {
        let c = try Cell(ordinal: (i * 7919) % Cell.spaceSize)
        let t = String(50 + Double(i) / 10)
        lines.append(([String(i), c.archString, c.opCodes, t] + Array(repeating: "", count: 8) + [c.canonicalForm]).joined(separator: ","))
    }
    let path = dir.appendingPathComponent("truth.csv").path
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    let store = try BenchmarkStore(path: dir.appendingPathComponent("db.sqlite").path)
    _ = try store.importTable(path: path, allowPartial: true)
    return (store, dir)
}

private func study(_ store: BenchmarkStore, subset: RankingSubset = .all, topK: [Int] = [5]) throws -> GroundTruthRanking {
    let truth = try store.groundTruth(dataset: "cifar10", split: "ori-test", hp: 200, seed: .mean)
    let proto = RankingProtocol(dataset: truth.dataset, split: truth.split, hp: truth.hp, seedPolicy: truth.seed,
                                subset: subset.description, topK: topK, bootstrapResamples: 200, bootstrapSeed: 1, level: 0.95)
    return GroundTruthRanking(truth: Dictionary(uniqueKeysWithValues: truth.rows.map { ($0.index, $0.accuracy) }),
                        isoClass: try store.isomorphismClasses(), subset: subset, rankingProtocol: proto)
}

@Suite struct GroundTruthRankingTests {
    @Test func perfectAndReversedEstimators() throws {
        let (store, _) = try storeWithTruth()
        let s = try study(store)
        let perfect = try s.row(EstimatorScores(name: "perfect", source: "test", scores: Dictionary(uniqueKeysWithValues: (0..<400).map { ($0, Double($0)) })))
        #expect(perfect.metric("kendall_tau_b")?.value == 1 && perfect.metric("precision_top5")?.value == 1)
        #expect(perfect.metric("best_true_rank_top5")?.value == 1 && perfect.architectures == 400)
        let reversed = try s.row(EstimatorScores(name: "reversed", source: "test", scores: Dictionary(uniqueKeysWithValues: (0..<400).map { ($0, -Double($0)) })))
        #expect(reversed.metric("kendall_tau_b")?.value == -1 && reversed.metric("precision_top5")?.value == 0)
        let sampled = try study(store, subset: .sample(50, seed: 3)).row(EstimatorScores(name: "p", source: "t", scores: Dictionary(uniqueKeysWithValues: (0..<400).map { ($0, Double($0)) })))
        #expect(sampled.architectures == 50)
        let top = try study(store, subset: .topFraction(0.25)).pairs(EstimatorScores(name: "p", source: "t", scores: Dictionary(uniqueKeysWithValues: (0..<400).map { ($0, 0.0 + Double($0 % 7)) })))
        #expect(top.truth.count == 100 && top.truth.min()! >= 50 + 300.0 / 10)
    }

    @Test func csvEstimatesAndTheirErrors() throws {
        let (store, dir) = try storeWithTruth()
        func write(_ text: String) -> String {
            let p = dir.appendingPathComponent("est-\(UUID().uuidString).csv").path
            try! text.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
        let cell7 = try store.cell(at: 7)
        let good = try store.csvScores(path: write("index,score\n1,0.5\n2,0.25\n\n"))
        #expect(good.scores == [1: 0.5, 2: 0.25])
        let byArch = try store.csvScores(path: write("arch,score\n\(cell7.archString),3\n\(cell7.opCodes == "000000" ? "1" : "3"),4\n"))
        #expect(byArch.scores[7] == 3)
        let cases: [(String, String)] = [
            ("index,score\n1,0.5\n1,0.7\n", "already scored on line 2"),
            ("index,score\n1,0.5\n9999,0.7\n", "not in this database"),
            ("index,score\n1,nan\n", "not a finite number"),
            ("index,score\n1,\n", "not a finite number"),
            ("index,value\n1,2\n", "no column 'score'"),
            ("name,score\n1,2\n", "needs an 'index' or 'arch' column"),
            ("index,score\n|bogus~0|,2\n", "unknown architecture"),
        ]
        for (text, fragment) in cases {
            do {
                _ = try store.csvScores(path: write(text))
                Issue.record("expected an error mentioning \(fragment)")
            } catch {
                #expect("\(error)".contains(fragment), "\(error) should mention \(fragment)")
            }
        }
        // Fewer than 2 architectures with a ground truth: a clear error, not a number.
        #expect(throws: GroundTruthRankingError.noOverlap(estimator: "one")) {
            try study(store).row(EstimatorScores(name: "one", source: "t", scores: [1: 0.5]))
        }
        #expect(throws: GroundTruthRankingError.invalidTopK(5, count: 3)) {
            try study(store).row(EstimatorScores(name: "three", source: "t", scores: [1: 0.5, 2: 0.1, 3: 0.2]))
        }
    }

    @Test func tablesInEveryFormat() throws {
        let (store, _) = try storeWithTruth()
        let row = try study(store).row(try store.baselineScores("params", dataset: "cifar10"))
        for format in TableFormat.allCases {
            let text = try RankingTable.render([row], format: format)
            #expect(text.contains("params"))
        }
        #expect(try RankingTable.render([row], format: .markdown).contains("| params | 400 |"))
        let json = try RankingTable.render([row], format: .json)
        let decoded = try JSONDecoder().decode([RankingRow].self, from: Data(json.utf8))
        #expect(decoded == [row])
    }
}
