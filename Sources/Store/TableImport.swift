import Foundation
import SearchSpace

/// Where one column of a per-architecture table goes: a metric of one split of one (dataset, hp, seed) trial.
struct ColumnTarget {
    enum Metric { case accuracy, loss, time }
    let header: String
    let dataset: BenchmarkDataset
    let hp: Int
    let seed: String
    let split: BenchmarkSplit
    let metric: Metric
}

/// A known per-architecture table layout (the three in ../shared/data/groundtruth and the merged join of them).
/// Documented in data/SCHEMA.md ("Table layouts").
struct TableLayout {
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
        let hasArchitectures = architectureCount > 0
        return try db.transaction {
            let sourceID = try addSource(path: URL(fileURLWithPath: path).standardizedFileURL.path, kind: "table:\(layout.name)", sizeBytes: size, sha256: sha)
            var trialIDs: [String: Int] = [:]
            var counts = (archs: 0, trials: 0, results: 0)
            var seenIndices = Set<Int>()
            for (rowNumber, (line, fields)) in csv.rows.enumerated() {
                func fail(_ reason: String) -> StoreError { .csv(path: path, line: line, reason: reason) }
                let archText = fields[col[layout.archColumn]!]
                let cell: Cell
                do { cell = try Cell(archString: archText) } catch let e as ArchError { throw fail(e.description) }
                if let isoColumn = layout.isoColumn, fields[col[isoColumn]!] != cell.canonicalForm {
                    throw fail("isomorphism key '\(fields[col[isoColumn]!])' differs from the cell's canonical form '\(cell.canonicalForm)'")
                }
                let index: Int
                if let indexColumn = layout.indexColumn {
                    guard let i = Int(fields[col[indexColumn]!]) else { throw fail("index '\(fields[col[indexColumn]!])' is not an integer") }
                    index = i
                } else if hasArchitectures {
                    index = try resolveArchitecture(cell.archString)
                } else {
                    index = rowNumber // this layout lists architectures in benchmark index order
                }
                guard (0..<Cell.spaceSize).contains(index) else { throw fail("index \(index) is outside 0...15624") }
                guard seenIndices.insert(index).inserted else { throw fail("index \(index) appears twice") }
                do { try addArchitecture(index: index, cell: cell) } catch let e as StoreError { throw fail(e.description) }
                counts.archs += 1

                // Group this row's columns by (trial, split) so each results row is written once.
                var groups: [String: (ColumnTarget, [ColumnTarget.Metric: Double])] = [:]
                for target in layout.columns {
                    let text = fields[col[target.header]!].trimmingCharacters(in: .whitespaces)
                    guard !text.isEmpty else { continue }
                    guard let value = Double(text), value.isFinite else {
                        throw fail("column \(target.header): '\(text)' is not a number")
                    }
                    let key = "\(target.dataset.rawValue)/\(target.hp)/\(target.seed)/\(target.split.rawValue)"
                    groups[key, default: (target, [:])].1[target.metric] = value
                }
                for (_, (target, metrics)) in groups.sorted(by: { $0.key < $1.key }) {
                    let trialKey = "\(index)/\(target.dataset.rawValue)/\(target.hp)/\(target.seed)"
                    let trialID: Int
                    if let id = trialIDs[trialKey] {
                        trialID = id
                    } else {
                        let (id, created) = try trial(arch: index, dataset: target.dataset.rawValue, hp: target.hp,
                                                      seed: target.seed, source: sourceID)
                        trialIDs[trialKey] = id
                        trialID = id
                        if created { counts.trials += 1 }
                    }
                    let written = try addResult(trial: trialID, split: target.split.rawValue, epoch: target.hp - 1,
                                                accuracy: metrics[.accuracy], loss: metrics[.loss], time: metrics[.time],
                                                context: "\(path) line \(line)")
                    if written { counts.results += 1 }
                }
            }
            try setRowCounts(source: sourceID, ["architectures": counts.archs, "trials": counts.trials, "results": counts.results])
            return ImportSummary(path: path, layout: layout.name, alreadyImported: false, architectures: counts.archs,
                                 trials: counts.trials, results: counts.results, seconds: Date().timeIntervalSince(start))
        }
    }

    /// The trial row for (arch, dataset, hp, seed), created if new; `created` tells which.
    public func trial(arch: Int, dataset: String, hp: Int, seed: String, source: Int,
                      params: Double? = nil, flops: Double? = nil, latency: Double? = nil) throws -> (id: Int, created: Bool) {
        try db.run("""
            INSERT INTO trials (arch_idx, dataset, hp, seed, source_id, params, flops, latency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (arch_idx, dataset, hp, seed) DO NOTHING
            """, [SQLValue(arch), .text(dataset), SQLValue(hp), .text(seed), SQLValue(source),
                  SQLValue(params), SQLValue(flops), SQLValue(latency)])
        let created = db.changes > 0
        if created { return (Int(db.lastInsertRowID), true) }
        let id = try db.scalar("SELECT id FROM trials WHERE arch_idx = ? AND dataset = ? AND hp = ? AND seed = ?",
                               [SQLValue(arch), .text(dataset), SQLValue(hp), .text(seed)])!.int!
        return (id, false)
    }

    /// Stores a split's final-epoch values. A split already stored must agree (to 1e-9) with the new values,
    /// else the import fails naming both: two sources never silently overwrite each other. Returns true if new.
    @discardableResult
    public func addResult(trial: Int, split: String, epoch: Int, accuracy: Double?, loss: Double?, time: Double?,
                          context: String) throws -> Bool {
        try db.run("""
            INSERT INTO results (trial_id, split, epoch, accuracy, loss, time) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (trial_id, split) DO NOTHING
            """, [SQLValue(trial), .text(split), SQLValue(epoch), SQLValue(accuracy), SQLValue(loss), SQLValue(time)])
        if db.changes > 0 { return true }
        let old = try db.rows("SELECT accuracy, loss, time FROM results WHERE trial_id = ? AND split = ?",
                              [SQLValue(trial), .text(split)])[0]
        for (name, stored, new) in [("accuracy", old[0].double, accuracy), ("loss", old[1].double, loss), ("time", old[2].double, time)] {
            if let stored, let new, abs(stored - new) > 1e-9 * max(1, abs(stored)) {
                throw StoreError.conflictingValue("\(context): \(split) \(name) \(new) differs from the stored \(stored)")
            }
        }
        // Fill metrics the earlier source lacked.
        try db.run("""
            UPDATE results SET accuracy = COALESCE(accuracy, ?), loss = COALESCE(loss, ?), time = COALESCE(time, ?)
            WHERE trial_id = ? AND split = ?
            """, [SQLValue(accuracy), SQLValue(loss), SQLValue(time), SQLValue(trial), .text(split)])
        return false
    }
}
