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
    @OptionGroup var options: RankingOptions
    @Flag(help: "Add a paired comparison (difference of tau-b, bootstrap interval, permutation p) of the first two estimators.")
    var compare = false
    @Option(help: "text, markdown, csv, latex or json.") var format: TableFormat = .text
    @Flag(help: "Same as --format json.") var json = false

    func run() throws {
        let tableFormat = json ? .json : format
        try reportingErrors {
            let store = try database.open()
            let (truth, reportEstimators, ranking) = try options.prepare(store, column: column)
            for note in truth.notes where tableFormat == .text { print("note: \(note)") }
            let estimators = reportEstimators.map(\.scores)
            let rows = try estimators.map { try ranking.row($0) }
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
                let c = try ranking.compare(estimators[0], estimators[1], resamples: options.bootstrap, permutations: options.bootstrap)
                print(String(format: "\npaired: tau_b(%@) - tau_b(%@) = %.4f [%.4f, %.4f], permutation p = %.4g (%d permutations)",
                             estimators[0].name, estimators[1].name, c.difference.estimate, c.difference.lower,
                             c.difference.upper, c.permutationPValue, c.permutations))
            }
        }
    }
}
