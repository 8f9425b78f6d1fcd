import Dispatch
import Foundation
import SearchSpace

/// Where one column of a per-architecture table goes: a metric of one split of one (dataset, hp, seed) trial.
struct ColumnTarget: Sendable {
    enum Metric: Sendable { case accuracy, loss, time }
    let header: String
    let dataset: BenchmarkDataset
    let hp: Int
    let seed: String
    let split: BenchmarkSplit
    let metric: Metric
}

/// A known per-architecture table layout (the three in ../shared/data/groundtruth and the merged join of them).
/// Documented in data/SCHEMA.md ("Table layouts").
struct TableLayout: Sendable {
    let name: String
    /// Column holding the benchmark index; nil when row order is the index order.
    let indexColumn: String?
    let archColumn: String
    /// Column holding the benchmark's isomorphism key, checked against the computed canonical form.
    let isoColumn: String?
    let columns: [ColumnTarget]

    var requiredHeaders: [String] { [indexColumn, archColumn, isoColumn].compactMap { $0 } + columns.map(\.header) }

    static let all: [TableLayout] = [merged, testAverages, randomSeed, cifar10Valid]

    private static func acc(_ h: String, _ d: BenchmarkDataset, _ hp: Int, _ seed: String, _ s: BenchmarkSplit) -> ColumnTarget {
        ColumnTarget(header: h, dataset: d, hp: hp, seed: seed, split: s, metric: .accuracy)
    }

    static let merged = TableLayout(
        name: "nb201-groundtruth-merged", indexColumn: "index", archColumn: "arch_str", isoColumn: "unique_str",
        columns: [
            acc("cifar10_test_hp200_avg", .cifar10, 200, "mean", .oriTest),
            acc("cifar100_xtest_hp200_avg", .cifar100, 200, "mean", .xTest),
            acc("imagenet16_120_xtest_hp200_avg", .imageNet16, 200, "mean", .xTest),
            acc("cifar10valid_xvalid_hp200_avg", .cifar10Valid, 200, "mean", .xValid),
            acc("cifar10valid_oritest_hp200_avg", .cifar10Valid, 200, "mean", .oriTest),
            acc("cifar10valid_train_hp200_avg", .cifar10Valid, 200, "mean", .train),
            acc("cifar10_test_hp12_1seed", .cifar10, 12, "unknown", .oriTest),
            acc("cifar100_xtest_hp12_1seed", .cifar100, 12, "unknown", .xTest),
            acc("imagenet16_120_xtest_hp12_1seed", .imageNet16, 12, "unknown", .xTest),
        ])

    static let testAverages = TableLayout(
        name: "nats-bench-hp200-test-avg", indexColumn: nil, archColumn: "ArchitectureString", isoColumn: "UniqueString",
        columns: [
            acc("CIFAR10TestAccuracy200Epochs", .cifar10, 200, "mean", .oriTest),
            acc("CIFAR100TestAccuracy200Epochs", .cifar100, 200, "mean", .xTest),
            acc("ImageNetTestAccuracy200Epochs", .imageNet16, 200, "mean", .xTest),
        ])

    static let randomSeed = TableLayout(
        name: "nats-bench-hp12-hp200-one-seed", indexColumn: "Unnamed: 0", archColumn: "ArchitectureString", isoColumn: nil,
        columns: [
            acc("Cifar10TestAccuracy12Epochs", .cifar10, 12, "unknown", .oriTest),
            acc("Cifar100TestAccuracy12Epochs", .cifar100, 12, "unknown", .xTest),
            acc("ImageNet16TestAccuracy12Epochs", .imageNet16, 12, "unknown", .xTest),
            acc("Cifar10TestAccuracy200Epochs", .cifar10, 200, "unknown", .oriTest),
            acc("Cifar100TestAccuracy200Epochs", .cifar100, 200, "unknown", .xTest),
            acc("ImageNet16TestAccuracy200Epochs", .imageNet16, 200, "unknown", .xTest),
        ])

    static let cifar10Valid: TableLayout = {
        var columns: [ColumnTarget] = []
        for (prefix, split) in [("train", BenchmarkSplit.train), ("valid", .xValid), ("test", .oriTest)] {
            for (suffix, metric) in [("accuracy", ColumnTarget.Metric.accuracy), ("loss", .loss), ("per-time", .time)] {
                columns.append(ColumnTarget(header: "\(prefix)-\(suffix)", dataset: .cifar10Valid, hp: 200, seed: "mean",
                                            split: split, metric: metric))
            }
        }
        return TableLayout(name: "nas-landscapes-cifar10-valid-hp200-avg", indexColumn: "index", archColumn: "arch_str",
                           isoColumn: nil, columns: columns)
    }()

    /// The layout's columns grouped by trial (dataset, hp, seed) and split, with their positions in the file.
    struct TrialGroup: Sendable {
        typealias Column = (header: String, index: Int)
        let dataset: String
        let hp: Int
        let seed: String
        var splits: [(split: String, accuracy: Column?, loss: Column?, time: Column?)]
    }

    func trialGroups(columnIndex: [String: Int]) -> [TrialGroup] {
        var groups: [TrialGroup] = []
        for c in columns {
            let column = (header: c.header, index: columnIndex[c.header]!)
            var g = groups.firstIndex { $0.dataset == c.dataset.rawValue && $0.hp == c.hp && $0.seed == c.seed } ?? -1
            if g < 0 {
                groups.append(TrialGroup(dataset: c.dataset.rawValue, hp: c.hp, seed: c.seed, splits: []))
                g = groups.count - 1
            }
            var s = groups[g].splits.firstIndex { $0.split == c.split.rawValue } ?? -1
            if s < 0 {
                groups[g].splits.append((c.split.rawValue, nil, nil, nil))
                s = groups[g].splits.count - 1
            }
            switch c.metric {
            case .accuracy: groups[g].splits[s].accuracy = column
            case .loss: groups[g].splits[s].loss = column
            case .time: groups[g].splits[s].time = column
            }
        }
        return groups
    }

    /// The layout whose headers the file has; an error naming the missing columns of the closest one otherwise.
    static func detect(header: [String], path: String) throws -> TableLayout {
        let present = Set(header)
        let scored = all.map { layout in (layout, layout.requiredHeaders.filter { !present.contains($0) }) }
        if let exact = scored.first(where: { $0.1.isEmpty }) { return exact.0 }
        let closest = scored.min { $0.1.count < $1.1.count }!
        let known = all.map(\.name).joined(separator: ", ")
        throw StoreError.csv(path: path, line: 1, reason: closest.1.count < closest.0.requiredHeaders.count
            ? "looks like layout '\(closest.0.name)' but lacks column(s) \(closest.1.joined(separator: ", "))"
            : "unknown table layout (known: \(known))")
    }
}

/// What an import did.
public struct ImportSummary: Sendable, Codable {
    public let path: String
    public let layout: String
    public let alreadyImported: Bool
    public let architectures: Int
    public let trials: Int
    public let results: Int
    public let seconds: Double
}

/// One CSV row checked and converted, ready to write: its cell, index (when the layout has one) and, per trial
/// group of the layout, the splits that have values.
struct ParsedRow: Sendable {
    struct SplitValues: Sendable {
        let split: String
        let accuracy: Double?
        let loss: Double?
        let time: Double?
    }
    let line: Int
    let cell: Cell
    let index: Int?
    let groups: [TableLayout.TrialGroup]
    let values: [[SplitValues]]
}

/// Rows parsed on both cores (parsing and checking is a third of an import's work; the SQLite writes that
/// follow are sequential). The first error in file order is thrown.
func parseRows(_ csv: CSVReader, layout: TableLayout, columnIndex col: [String: Int]) throws -> [ParsedRow] {
    let groups = layout.trialGroups(columnIndex: col)
    let rows = Array(csv.rows)
    let path = csv.path
    let results = ResultSlots<ParsedRow>(count: rows.count)
    let chunks = 8
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        for i in stride(from: chunk * rows.count / chunks, to: (chunk + 1) * rows.count / chunks, by: 1) {
            let (line, fields) = rows[i]
            results.set(i, Result { try parseRow(line: line, fields: fields, layout: layout, col: col, groups: groups, path: path) })
        }
    }
    return try results.values()
}

private func parseRow(line: Int, fields: [String], layout: TableLayout, col: [String: Int], groups: [TableLayout.TrialGroup],
                      path: String) throws -> ParsedRow {
    func fail(_ reason: String) -> StoreError { .csv(path: path, line: line, reason: reason) }
    let archText = fields[col[layout.archColumn]!]
    let cell: Cell
    switch Result(catching: { () throws(ArchError) -> Cell in try Cell(archString: archText) }) {
    case .success(let c): cell = c
    case .failure(let e): throw fail(e.description)
    }
    if let isoColumn = layout.isoColumn, fields[col[isoColumn]!] != cell.canonicalForm {
        throw fail("isomorphism key '\(fields[col[isoColumn]!])' differs from the cell's canonical form '\(cell.canonicalForm)'")
    }
    var index: Int?
    if let indexColumn = layout.indexColumn {
        guard let i = Int(fields[col[indexColumn]!]) else { throw fail("index '\(fields[col[indexColumn]!])' is not an integer") }
        index = i
    }
    func number(_ column: TableLayout.TrialGroup.Column?) throws -> Double? {
        guard let column else { return nil }
        let text = fields[column.index]
        guard !text.isEmpty else { return nil }
        guard let value = Double(text), value.isFinite else { throw fail("column \(column.header): '\(text)' is not a number") }
        return value
    }
    /// Accuracies are percentages: a value outside 0...100 is a fraction-scaled or corrupt table, never a result.
    func accuracy(_ column: TableLayout.TrialGroup.Column?) throws -> Double? {
        guard let value = try number(column) else { return nil }
        guard (0...100).contains(value) else { throw fail("column \(column!.header): accuracy \(fields[column!.index]) is outside 0...100 (percent)") }
        return value
    }
    let values = try groups.map { group in
        try group.splits.map { s in
            ParsedRow.SplitValues(split: s.split, accuracy: try accuracy(s.accuracy), loss: try number(s.loss), time: try number(s.time))
        }.filter { $0.accuracy != nil || $0.loss != nil || $0.time != nil }
    }
    return ParsedRow(line: line, cell: cell, index: index, groups: groups, values: values)
}

/// Per-index result slots that concurrent workers fill; each index is written by exactly one worker.
private final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [Result<T, any Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<T, any Error>) { slots.withUnsafeMutableBufferPointer { $0[i] = r } }
    func values() throws -> [T] { try slots.map { try $0!.get() } }
}

extension BenchmarkStore {
    /// Imports a per-architecture CSV table in one transaction: on any error the database is left as it was.
    /// A table must cover all 15,625 architectures unless `allowPartial` (a short table is usually a truncated file).
    public func importTable(path: String, allowPartial: Bool = false) throws -> ImportSummary {
        let start = Date()
        let csv = try CSVReader(path: path)
        let layout = try TableLayout.detect(header: csv.header, path: path)
        let (sha, size) = try SHA256.file(path)
        if try source(sha256: sha) != nil {
            return ImportSummary(path: path, layout: layout.name, alreadyImported: true, architectures: 0, trials: 0,
                                 results: 0, seconds: Date().timeIntervalSince(start))
        }
        guard allowPartial || csv.count == Cell.spaceSize else {
            throw StoreError.csv(path: path, line: csv.count + 1,
                                 reason: "\(csv.count) rows, expected one per architecture (15,625): truncated file? (allow with --partial)")
        }
        let col = Dictionary(csv.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let parsed = try parseRows(csv, layout: layout, columnIndex: col)
        let hasArchitectures = architectureCount > 0
        return try db.transaction {
            let sourceID = try addSource(path: URL(fileURLWithPath: path).standardizedFileURL.path,
                                         kind: "table:\(layout.name)", sizeBytes: size, sha256: sha)
            let writer = try self.writer()
            var counts = (archs: 0, trials: 0, results: 0)
            var seenIndices = Set<Int>()
            for (rowNumber, row) in parsed.enumerated() {
                func fail(_ reason: String) -> StoreError { .csv(path: path, line: row.line, reason: reason) }
                let index: Int
                if let i = row.index {
                    index = i
                } else if hasArchitectures {
                    index = try resolveArchitecture(row.cell.archString)
                } else {
                    index = rowNumber // this layout lists architectures in benchmark index order
                }
                guard (0..<Cell.spaceSize).contains(index) else { throw fail("index \(index) is outside 0...15624") }
                guard seenIndices.insert(index).inserted else { throw fail("index \(index) appears twice") }
                do {
                    if try writer.addArchitecture(index: index, cell: row.cell) { counts.archs += 1 }
                } catch let e as StoreError { throw fail(e.description) }
                for (group, present) in zip(row.groups, row.values) where !present.isEmpty {
                    let trial = try writer.trial(arch: index, dataset: group.dataset, hp: group.hp, seed: group.seed,
                                                 source: sourceID)
                    if trial.created { counts.trials += 1 }
                    for v in present {
                        if try writer.addResult(trial: trial, split: v.split, epoch: group.hp - 1, accuracy: v.accuracy, loss: v.loss,
                                                time: v.time, context: "\(path) line \(row.line)") {
                            counts.results += 1
                        }
                    }
                }
            }
            try writer.finish(source: sourceID, rowCounts: ["architectures": counts.archs, "trials": counts.trials, "results": counts.results])
            return ImportSummary(path: path, layout: layout.name, alreadyImported: false, architectures: counts.archs,
                                 trials: counts.trials, results: counts.results, seconds: Date().timeIntervalSince(start))
        }
    }
}
