import ArgumentParser
import Foundation
import Reports

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a ranking report folder: table, scatter plots, tau-b heat map, protocol and a notebook.",
        discussion: """
            Takes the estimators and ground truth of `nb201 rank` and writes ranking.md, ranking.csv, scatter-<estimator>.svg,
            correlation-heatmap.svg, protocol.json (protocol, command line, code version, database) and report.ipynb, a
            notebook that rebuilds the table from the database with pandas and scipy.
            Example: nb201 report --out notebooks-export/baselines --baseline params,flops --dataset cifar10 --split ori-test --hp 200 --seed mean
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var column: ColumnOptions
    @OptionGroup var options: RankingOptions
    @Option(help: "The folder to write (created if needed; files of the same names are replaced).") var out: String
    @Option(help: "Most points drawn per scatter plot (a seeded sample of the rest).") var maxPoints = 3000

    func run() throws {
        try reportingErrors {
            let store = try database.open(readOnly: true)
            let (truth, estimators, ranking) = try options.prepare(store, column: column)
            for note in truth.notes { print("note: \(note)") }
            let report = RankingReport(
                ranking: ranking, estimators: estimators, databasePath: URL(fileURLWithPath: database.db).standardizedFileURL.path,
                commandLine: CommandLine.arguments, codeVersion: codeVersion(),
                groundTruthNotes: truth.notes, maxScatterPoints: maxPoints)
            let folder = URL(fileURLWithPath: out)
            for name in try report.write(to: folder) { print(folder.appendingPathComponent(name).path) }
        }
    }
}
