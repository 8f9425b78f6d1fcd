import SearchSpace

/// Writes benchmark rows with statements prepared once: importers write hundreds of thousands of rows, so the
/// per-row cost is binding and stepping only. Use inside one `db.transaction`.
public final class BenchmarkWriter {
    let store: BenchmarkStore
    private let insertArchitecture: Statement
    private let selectArchitecture: Statement
    private let insertCost: Statement
    private let insertTrial: Statement
    private let selectTrial: Statement
    private let insertResult: Statement
    private let selectResult: Statement
    private let fillResult: Statement
    private let insertCurve: Statement

    /// Results this writer added, per coverage cell: `finish` adds them to the `coverage` summary.
    private struct CoverageKey: Hashable {
        let dataset: String, hp: Int, seed: String, split: String
    }
    private var newResults: [CoverageKey: Int] = [:]

    init(store: BenchmarkStore) throws {
        self.store = store
        let db = store.db
        insertArchitecture = try db.statement(
            "INSERT INTO architectures (idx, arch_str, op_codes, iso_class) VALUES (?, ?, ?, ?) ON CONFLICT (idx) DO NOTHING")
        selectArchitecture = try db.statement("SELECT arch_str FROM architectures WHERE idx = ?")
        insertCost = try db.statement("""
            INSERT INTO costs (arch_idx, dataset, origin, params, flops, latency) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (arch_idx, dataset, origin) DO NOTHING
            """)
        insertTrial = try db.statement("""
            INSERT INTO trials (arch_idx, dataset, hp, seed, source_id, params, flops, latency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (arch_idx, dataset, hp, seed) DO NOTHING
            """)
        selectTrial = try db.statement("SELECT id FROM trials WHERE arch_idx = ? AND dataset = ? AND hp = ? AND seed = ?")
        insertResult = try db.statement("""
            INSERT INTO results (trial_id, split, epoch, accuracy, loss, time) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (trial_id, split) DO NOTHING
            """)
        selectResult = try db.statement("SELECT accuracy, loss, time FROM results WHERE trial_id = ? AND split = ?")
        fillResult = try db.statement("""
            UPDATE results SET accuracy = COALESCE(accuracy, ?), loss = COALESCE(loss, ?), time = COALESCE(time, ?)
            WHERE trial_id = ? AND split = ?
            """)
        insertCurve = try db.statement("""
            INSERT INTO curves (trial_id, split, metric, per_epoch, encoding) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (trial_id, split, metric) DO NOTHING
            """)
    }

    /// Inserts the architecture at benchmark index `index` with its cost-model costs for every benchmark dataset,
    /// or checks it against the one stored there. Returns true if it was new.
    @discardableResult
    public func addArchitecture(index: Int, cell: Cell) throws -> Bool {
        guard (0..<Cell.spaceSize).contains(index) else { throw StoreError.indexOutOfRange(index) }
        let archString = cell.archString
        try insertArchitecture.execute([SQLValue(index), .text(archString), .text(cell.opCodes), .text(cell.canonicalForm)])
        guard store.db.changes > 0 else {
            try selectArchitecture.bind([SQLValue(index)])
            _ = try selectArchitecture.step()
            let stored = selectArchitecture.string(0)
            selectArchitecture.reset()
            guard stored == archString else {
                throw StoreError.conflictingValue("index \(index) is \(stored) in the database but \(archString) in this source")
            }
            return false
        }
        for dataset in BenchmarkDataset.allCases {
            let cost = Cost(cell: cell, shape: dataset.networkShape)
            try addCost(arch: index, dataset: dataset.rawValue, origin: "cost-model", paramsM: cost.parametersMillions,
                        flopsM: cost.flopsMillions, latency: nil)
        }
        return true
    }

    /// Costs as a source states them (`origin` = "source:<id>") or as the cost model computes them.
    public func addCost(arch: Int, dataset: String, origin: String, paramsM: Double, flopsM: Double, latency: Double?) throws {
        try insertCost.execute([SQLValue(arch), .text(dataset), .text(origin), .real(paramsM), .real(flopsM), SQLValue(latency)])
    }

    /// A trial row: its id, its key, and whether this writer created it.
    public struct Trial: Sendable {
        public let id: Int
        public let created: Bool
        public let dataset: String
        public let hp: Int
        public let seed: String
    }

    /// The trial row for (arch, dataset, hp, seed), created if new.
    public func trial(arch: Int, dataset: String, hp: Int, seed: String, source: Int,
                      params: Double? = nil, flops: Double? = nil, latency: Double? = nil) throws -> Trial {
        try insertTrial.execute([SQLValue(arch), .text(dataset), SQLValue(hp), .text(seed), SQLValue(source),
                                 SQLValue(params), SQLValue(flops), SQLValue(latency)])
        if store.db.changes > 0 {
            return Trial(id: Int(store.db.lastInsertRowID), created: true, dataset: dataset, hp: hp, seed: seed)
        }
        try selectTrial.bind([SQLValue(arch), .text(dataset), SQLValue(hp), .text(seed)])
        _ = try selectTrial.step()
        defer { selectTrial.reset() }
        return Trial(id: selectTrial.int(0), created: false, dataset: dataset, hp: hp, seed: seed)
    }

    /// Stores a split's final-epoch values. A split already stored must agree (to 1e-9) with the new values,
    /// else the import fails naming both: two sources never silently overwrite each other. Returns true if new.
    @discardableResult
    public func addResult(trial: Trial, split: String, epoch: Int, accuracy: Double?, loss: Double?, time: Double?,
                          context: @autoclosure () -> String) throws -> Bool {
        try insertResult.execute([SQLValue(trial.id), .text(split), SQLValue(epoch), SQLValue(accuracy), SQLValue(loss), SQLValue(time)])
        if store.db.changes > 0 {
            newResults[CoverageKey(dataset: trial.dataset, hp: trial.hp, seed: trial.seed, split: split), default: 0] += 1
            return true
        }
        try selectResult.bind([SQLValue(trial.id), .text(split)])
        _ = try selectResult.step()
        let old = [selectResult.optionalDouble(0), selectResult.optionalDouble(1), selectResult.optionalDouble(2)]
        selectResult.reset()
        for (name, stored, new) in zip3(["accuracy", "loss", "time"], old, [accuracy, loss, time]) {
            if let stored, let new, abs(stored - new) > 1e-9 * max(1, abs(stored)) {
                throw StoreError.conflictingValue("\(context()): \(split) \(name) \(new) differs from the stored \(stored)")
            }
        }
        try fillResult.execute([SQLValue(accuracy), SQLValue(loss), SQLValue(time), SQLValue(trial.id), .text(split)])
        return false
    }

    /// A per-epoch series (NaN where the split was not evaluated), encoded by a `CurveCompressor`: little-endian
    /// float32 (the benchmark prints 4-5 significant digits), zlib-compressed (curves are nearly all of an import).
    public func addCurve(trial: Trial, split: String, metric: String, curve: EncodedCurve) throws {
        try insertCurve.execute([SQLValue(trial.id), .text(split), .text(metric), .blob(curve.bytes), .text(curve.encoding.rawValue)])
    }
}

extension BenchmarkWriter {
    /// Ends an import (inside its transaction): records what the source added and adds this writer's new results
    /// to the `coverage` summary that queries read to name the valid choices without scanning every trial.
    public func finish(source: Int, rowCounts counts: [String: Int]) throws {
        let json = "{" + counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
        try store.db.run("UPDATE sources SET row_counts = ? WHERE id = ?", [.text(json), SQLValue(source)])
        let bump = try store.db.statement("""
            INSERT INTO coverage (dataset, hp, seed, split, architectures) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (dataset, hp, seed, split) DO UPDATE SET architectures = architectures + excluded.architectures
            """)
        for (key, n) in newResults {
            try bump.execute([.text(key.dataset), SQLValue(key.hp), .text(key.seed), .text(key.split), SQLValue(n)])
        }
        newResults = [:]
    }
}

private func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
    (0..<min(a.count, b.count, c.count)).map { (a[$0], b[$0], c[$0]) }
}

extension BenchmarkStore {
    /// A writer for bulk imports; call inside `db.transaction`.
    public func writer() throws -> BenchmarkWriter { try BenchmarkWriter(store: self) }
}
