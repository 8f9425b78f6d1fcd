import Ranking
import ArgumentParser
import Foundation
import Reports
import Store

/// The estimators and protocol options shared by `nb201 rank` and `nb201 report`.
struct RankingOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: "A run (id or name) whose estimates to rank; repeatable.") var runs: [String] = []
    @Option(name: .customLong("csv"), help: "A CSV with an index or arch column and a score column; repeatable.") var csvFiles: [String] = []
    @Option(help: "The score column of --csv files.") var score = "score"
    @Option(help: "Cost baselines as estimators: params, flops (comma-separated).") var baseline: String?
    @Option(help: "all, non-isomorphic, sample:N, or top:F (the best fraction F by ground truth).") var subset = "all"
    @Option(help: "Seed of sample:N subsets and of the bootstrap.") var rankSeed: UInt64 = 0
    @Option(help: "k values for the top-k metrics (comma-separated).") var topK = "10"
    @Option(help: "Bootstrap resamples.") var bootstrap = 1000
    @Option(help: "Confidence level of the intervals.") var level = 0.95

    /// The ground truth, the estimators and the ranking against the truth; exits with status 2 on an invalid choice.
    func prepare(_ store: BenchmarkStore, column: ColumnOptions) throws -> (truth: ScoreTable, estimators: [ReportEstimator], ranking: GroundTruthRanking) {
        guard let rankingSubset = RankingSubset(subset, seed: rankSeed) else {
            printError("invalid --subset '\(subset)'; valid: all, non-isomorphic, sample:N (N >= 2), top:F (0 < F <= 1)")
            throw ExitStatus.usage.code
        }
        let selection = EstimatorSelection(runs: runs, csvFiles: csvFiles, scoreColumn: score,
                                           baselines: (baseline ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        guard !selection.isEmpty else {
            printError("nothing to rank: give --run, --csv or --baseline")
            throw ExitStatus.usage.code
        }
        let truth = try store.groundTruth(dataset: column.dataset, split: column.split, hp: column.hp, seed: try column.seedPolicy())
        let estimators = try selection.load(from: store, dataset: truth.dataset)
        let ks = topK.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let proto = RankingProtocol(dataset: truth.dataset, split: truth.split, hp: truth.hp, seedPolicy: truth.seed,
                                    subset: rankingSubset.description, topK: ks, bootstrapResamples: bootstrap,
                                    bootstrapSeed: rankSeed, level: level)
        let ranking = GroundTruthRanking(truth: Dictionary(uniqueKeysWithValues: truth.rows.map { ($0.index, $0.accuracy) }),
                                 isoClass: try store.isomorphismClasses(), subset: rankingSubset, rankingProtocol: proto)
        return (truth, estimators, ranking)
    }
}
