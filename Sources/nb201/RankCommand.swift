import ArgumentParser
import Foundation
import Ranking
import Reports
import Store

struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Rank estimators (runs, CSV files, cost baselines) against a ground truth named explicitly.",
        discussion: """
            Each estimator becomes one row: Kendall tau-b, Spearman rho, Pearson r (each with its p-value), weighted tau,
            precision@top-k and the best true rank among the predicted top-k, with percentile bootstrap intervals over
            architectures. The protocol is printed and stored with every row (table `rankings`).
            Example: nb201 rank --baseline params,flops --dataset cifar10 --split ori-test --hp 200 --seed mean
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var column: ColumnOptions
    @Option(name: .customLong("run"), help: "A run (id or name) whose estimates to rank; repeatable.") var runs: [String] = []
    @Option(name: .customLong("csv"), help: "A CSV with an index or arch column and a score column; repeatable.") var csvFiles: [String] = []
    @Option(help: "The score column of --csv files.") var score = "score"
    @Option(help: "Cost baselines as estimators: params, flops (comma-separated).") var baseline: String?
    @Option(help: "all, non-isomorphic, sample:N, or top:F (the best fraction F by ground truth).") var subset = "all"
    @Option(help: "Seed of sample:N subsets and of the bootstrap.") var rankSeed: UInt64 = 0
    @Option(help: "k values for the top-k metrics (comma-separated).") var topK = "10"
    @Option(help: "Bootstrap resamples.") var bootstrap = 1000
    @Option(help: "Confidence level of the intervals.") var level = 0.95
    @Flag(help: "Add a paired comparison (difference of tau-b, bootstrap interval, permutation p) of the first two estimators.")
    var compare = false
    @Option(help: "text, markdown, csv, latex or json.") var format: String = "text"
    @Flag(help: "Same as --format json.") var json = false

    func run() throws {
        guard let tableFormat = TableFormat(rawValue: json ? "json" : format) else {
            printError("unknown --format '\(format)'; valid: \(TableFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(2)
        }
        guard let rankingSubset = RankingSubset(subset, seed: rankSeed) else {
            printError("invalid --subset '\(subset)'; valid: all, non-isomorphic, sample:N (N >= 2), top:F (0 < F <= 1)")
            throw ExitCode(2)
        }
        let ks = topK.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        try reportingErrors {
            let store = try database.open()
            let truth = try store.groundTruth(dataset: column.dataset, split: column.split, hp: column.hp, seed: try column.seedPolicy())
            for note in truth.notes where tableFormat == .text { print("note: \(note)") }
            var estimators: [EstimatorScores] = []
            for r in runs { estimators += try store.estimatorScores(run: try store.run(named: r)) }
            for file in csvFiles { estimators.append(try store.csvScores(path: file, scoreColumn: score)) }
            for name in (baseline ?? "").split(separator: ",") {
                estimators.append(try store.baselineScores(name.trimmingCharacters(in: .whitespaces), dataset: truth.dataset))
            }
            guard !estimators.isEmpty else {
                printError("nothing to rank: give --run, --csv or --baseline")
                throw ExitCode(2)
            }
            let proto = RankingProtocol(dataset: truth.dataset, split: truth.split, hp: truth.hp, seedPolicy: truth.seed,
                                        subset: rankingSubset.description, topK: ks, bootstrapResamples: bootstrap,
                                        bootstrapSeed: rankSeed, level: level)
            let study = RankingStudy(truth: Dictionary(uniqueKeysWithValues: truth.rows.map { ($0.index, $0.accuracy) }),
                                     isoClass: try store.isomorphismClasses(), subset: rankingSubset, rankingProtocol: proto)
            let rows = try estimators.map { try study.row($0) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try store.db.transaction {
                for row in rows {
                    try store.addRanking(estimator: row.estimator, source: row.source, architectures: row.architectures,
                                         protocolJSON: String(decoding: try encoder.encode(row.rankingProtocol), as: UTF8.self),
                                         metricsJSON: String(decoding: try encoder.encode(row.metrics), as: UTF8.self))
                }
            }
            print(try RankingTable.render(rows, format: tableFormat))
            if compare, estimators.count >= 2 {
                let c = try study.compare(estimators[0], estimators[1], resamples: bootstrap, permutations: bootstrap)
                print(String(format: "\npaired: tau_b(%@) - tau_b(%@) = %.4f [%.4f, %.4f], permutation p = %.4g (%d permutations)",
                             estimators[0].name, estimators[1].name, c.difference.estimate, c.difference.lower,
                             c.difference.upper, c.permutationPValue, c.permutations))
            }
        }
    }
}
