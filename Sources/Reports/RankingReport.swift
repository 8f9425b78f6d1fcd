import Ranking
import Foundation

/// A ranking against one ground truth written out as a folder: the table (Markdown, CSV), a scatter plot per estimator, the tau-b
/// heat map, the protocol with its provenance (protocol.json) and a notebook that rebuilds the table independently.
public struct RankingReport: Sendable {
    public var ranking: GroundTruthRanking
    public var estimators: [ReportEstimator]
    public var databasePath: String
    /// Where the estimates live when not in `databasePath` (a report's extract), relative to the report folder.
    public var runsDatabasePath: String?
    public var commandLine: [String]
    public var codeVersion: String?
    public var groundTruthNotes: [String]
    /// Scatter plots draw at most this many points (a seeded sample; the subtitle says so).
    public var maxScatterPoints: Int

    public init(ranking: GroundTruthRanking, estimators: [ReportEstimator], databasePath: String, commandLine: [String],
                codeVersion: String?, groundTruthNotes: [String] = [], maxScatterPoints: Int = 3000) {
        self.ranking = ranking
        self.estimators = estimators
        self.databasePath = databasePath
        self.commandLine = commandLine
        self.codeVersion = codeVersion
        self.groundTruthNotes = groundTruthNotes
        self.maxScatterPoints = maxScatterPoints
    }

    /// What protocol.json holds about one estimator.
    struct EstimatorEntry: Encodable {
        var name: String
        var source: String
        var origin: EstimatorOrigin
        var architectures: Int
        var scatter: String
        var sampleFile: String?

        enum CodingKeys: String, CodingKey {
            case name, source, origin, architectures, scatter
            case sampleFile = "sample_file"
        }
    }

    struct ProtocolFile: Encodable {
        var `protocol`: RankingProtocol
        var commandLine: [String]
        var codeVersion: String?
        var database: String
        var runsDatabase: String?
        var createdAt: String
        var groundTruthNotes: [String]
        var scatterMaxPoints: Int
        var estimators: [EstimatorEntry]

        enum CodingKeys: String, CodingKey {
            case `protocol`, database, estimators
            case runsDatabase = "runs_database"
            case commandLine = "command_line", codeVersion = "code_version", createdAt = "created_at"
            case groundTruthNotes = "ground_truth_notes", scatterMaxPoints = "scatter_max_points"
        }
    }

    /// Writes every file into `directory` (created if needed) and returns their names in writing order.
    @discardableResult
    public func write(to directory: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var written: [String] = []
        func save(_ name: String, _ data: Data) throws {
            try data.write(to: directory.appendingPathComponent(name), options: .atomic)
            written.append(name)
        }
        let rows = try estimators.map { try ranking.row($0.scores) }
        try save("ranking.md", Data((try RankingTable.render(rows, format: .markdown) + "\n").utf8))
        try save("ranking.csv", Data((try RankingTable.render(rows, format: .csv) + "\n").utf8))

        var entries: [EstimatorEntry] = []
        for (estimator, stem) in zip(estimators, Self.fileStems(estimators.map(\.scores.name))) {
            let scatter = "scatter-\(stem).svg"
            try save(scatter, Data(try ranking.scatterPlot(estimator.scores, maxPoints: maxScatterPoints).svg.utf8))
            var sampleFile: String?
            if case .sample = ranking.subset {
                sampleFile = "subset-\(stem).csv"
                let keys = ranking.pairs(estimator.scores).keys
                try save(sampleFile!, Data((["arch_idx"] + keys).joined(separator: "\n").appending("\n").utf8))
            }
            entries.append(EstimatorEntry(name: estimator.scores.name, source: estimator.scores.source, origin: estimator.origin,
                                          architectures: rows[entries.count].architectures, scatter: scatter, sampleFile: sampleFile))
        }
        try save("correlation-heatmap.svg", Data(ranking.heatMap(estimators.map(\.scores)).svg.utf8))

        let file = ProtocolFile(protocol: ranking.rankingProtocol, commandLine: commandLine, codeVersion: codeVersion,
                                database: databasePath, runsDatabase: runsDatabasePath, createdAt: ISO8601DateFormatter().string(from: Date()),
                                groundTruthNotes: groundTruthNotes, scatterMaxPoints: maxScatterPoints, estimators: entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try save("protocol.json", try encoder.encode(file) + Data("\n".utf8))
        try save("report.ipynb", try ReportNotebook.json(title: "Ranking report: \(estimators.map(\.scores.name).joined(separator: ", "))",
                                                         protocolLine: RankingTable.protocolLine(ranking.rankingProtocol)))
        return written
    }

    /// File-name-safe, distinct stems for estimator names ("run/synflow" -> "run-synflow").
    static func fileStems(_ names: [String]) -> [String] {
        var used: Set<String> = []
        return names.map { name in
            let safe = String(name.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" })
            var stem = safe.isEmpty ? "estimator" : safe, k = 2
            while used.contains(stem) { stem = "\(safe)-\(k)"; k += 1 }
            used.insert(stem)
            return stem
        }
    }
}

/// The commit of the git checkout at `directory` (`git rev-parse HEAD`), or nil where git or a checkout is absent.
public func gitCommit(at directory: URL) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", directory.path, "rev-parse", "HEAD"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return process.terminationStatus == 0 && text.count == 40 ? text : nil
}
