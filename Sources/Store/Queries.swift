import SearchSpace

/// How to turn a trial's seeds into a number. Always explicit: queries never pick one silently.
public enum SeedPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Mean over the stored seeded runs; where only a published seed mean is stored (a table), that mean.
    case mean
    /// Every stored trial, one row each.
    case all
    /// One seeded run.
    case seed(Int)
    /// The single run of unknown seed that some tables publish.
    case unknown

    public init?(_ text: String) {
        switch text.lowercased() {
        case "mean": self = .mean
        case "all": self = .all
        case "unknown": self = .unknown
        default:
            guard let n = Int(text) else { return nil }
            self = .seed(n)
        }
    }

    public var description: String {
        switch self {
        case .mean: "mean"
        case .all: "all"
        case .seed(let n): String(n)
        case .unknown: "unknown"
        }
    }

    /// SQL condition on `t.seed` selecting the trials this policy reads.
    var trialCondition: String {
        switch self {
        case .mean, .all: "1"
        case .seed(let n): "t.seed GLOB '[0-9]*' AND CAST(t.seed AS INTEGER) = \(n)"
        case .unknown: "t.seed = 'unknown'"
        }
    }
}

/// One stored trial's values for a split.
public struct TrialValue: Sendable, Codable, Hashable {
    public let seed: String
    public let epoch: Int
    public let accuracy: Double?
    public let loss: Double?
    public let time: Double?
}

/// The answer to "what did architecture A score on dataset D, split S, after hp epochs, under seed policy P".
public struct QueryAnswer: Sendable, Codable {
    public let index: Int
    public let arch: String
    public let dataset: String
    public let hp: Int
    public let split: String
    public let seedPolicy: String
    /// The policy's value (nil for policy `all`).
    public let accuracy: Double?
    /// How the value was formed, e.g. "mean of seeds 777, 888, 999" or "published seed mean".
    public let basis: String
    public let trials: [TrialValue]
    /// Choices made for the caller (only ever the documented hp default).
    public let notes: [String]
}

/// An architecture's score under a fixed (dataset, split, hp, seed policy), with its cost.
public struct ScoredArchitecture: Sendable, Codable {
    public let index: Int
    public let arch: String
    public let accuracy: Double
    public let paramsM: Double
    public let flopsM: Double
}

/// A ground-truth column: every architecture's score under one (dataset, split, hp, seed policy), best first.
public struct ScoreTable: Sendable, Codable {
    public let dataset: String
    public let hp: Int
    public let split: String
    public let seed: String
    public let notes: [String]
    public let rows: [ScoredArchitecture]
}

/// Filters for `top`: cost ceilings (millions, benchmark units) and the ops a cell may use.
public struct ArchitectureFilter: Sendable {
    public var maxParamsM: Double?
    public var maxFlopsM: Double?
    public var allowedOps: Set<Operation>

    public init(maxParamsM: Double? = nil, maxFlopsM: Double? = nil, allowedOps: Set<Operation> = Set(Operation.allCases)) {
        self.maxParamsM = maxParamsM
        self.maxFlopsM = maxFlopsM
        self.allowedOps = allowedOps
    }
}

extension BenchmarkStore {
    /// Which (dataset, hp, seed, split) combinations hold results, optionally for one architecture.
    public struct Availability: Sendable, Hashable, Codable {
        public let dataset: String
        public let hp: Int
        public let seed: String
        public let split: String
    }

    public func availability(arch: Int? = nil) throws -> [Availability] {
        let sql = arch == nil
            ? "SELECT dataset, hp, seed, split FROM coverage ORDER BY 1, 2, 3, 4"
            : """
              SELECT DISTINCT t.dataset AS dataset, t.hp AS hp, t.seed AS seed, r.split AS split FROM trials t JOIN results r ON r.trial_id = t.id
              WHERE t.arch_idx = ? ORDER BY 1, 2, 3, 4
              """
        return try db.rows(sql, arch.map { [SQLValue($0)] } ?? []).map {
            Availability(dataset: $0["dataset"].string!, hp: $0["hp"].int!, seed: $0["seed"].string!, split: $0["split"].string!)
        }
    }

    /// Settles dataset, hp and split: a given value must exist in the database (else the valid values are named);
    /// a missing one is taken only when exactly one value exists among `available`, else the choices are named.
    /// The one default: a missing hp is 200 (the benchmark's full training) when 200 is stored; `notes` says so.
    public func resolveChoices(dataset: String?, hp: Int?, split: String?, available: () throws -> [Availability])
        throws -> (dataset: String, hp: Int, split: String, notes: [String])
    {
        var notes: [String] = []
        let all = try availability()
        guard !all.isEmpty else { throw StoreError.emptyBenchmark }
        // The (cheap) database-wide list validates given choices; the caller's list is read only to fill gaps.
        var rows = dataset != nil && hp != nil && split != nil ? all : try available()
        func pick<T: Hashable & Comparable>(_ name: String, _ given: T?, _ key: (Availability) -> T,
                                            unknown: (T, [T]) -> StoreError) throws -> T {
            let everywhere = Set(all.map(key)).sorted()
            let here = Set(rows.map(key)).sorted()
            if let given {
                guard everywhere.contains(given) else { throw unknown(given, everywhere) }
                rows = rows.filter { key($0) == given }
                return given
            }
            if name == "hp", here.count > 1, let full = here.first(where: { "\($0)" == "200" }) {
                notes.append("hp 200 by default (also stored: \(here.filter { $0 != full }.map { "\($0)" }.joined(separator: ", ")); pass --hp)")
                rows = rows.filter { key($0) == full }
                return full
            }
            guard here.count == 1 else {
                if here.isEmpty { throw StoreError.noData("nothing stored for this combination") }
                throw StoreError.ambiguous(choice: name, valid: here.map { "\($0)" })
            }
            return here[0]
        }
        let canonicalDataset = dataset.map { BenchmarkDataset(name: $0)?.rawValue ?? $0 }
        let d = try pick("dataset", canonicalDataset, \.dataset) { .unknownDataset($0, valid: $1) }
        let h = try pick("hp", hp, \.hp) { .unknownHP($0, valid: $1) }
        // A split stored for other datasets only (x-valid of cifar10) is named as missing here, not left to the seeds.
        if let split, !rows.isEmpty, !rows.contains(where: { $0.split == split }), all.contains(where: { $0.split == split }) {
            throw StoreError.splitNotStored(split, dataset: d, hp: h, valid: Set(rows.map(\.split)).sorted(),
                                            storedFor: Set(all.filter { $0.split == split }.map(\.dataset)).sorted())
        }
        let s = try pick("split", split, \.split) { .unknownSplit($0, valid: $1) }
        return (d, h, s, notes)
    }

    /// One architecture's result. Missing choices must be unambiguous (see `resolveChoices`); the seed policy
    /// may be omitted only when a single trial exists for the combination.
    public func query(arch: Int, dataset: String?, hp: Int?, split: String?, seed: SeedPolicy?) throws -> QueryAnswer {
        guard let archString = try db.scalar("SELECT arch_str FROM architectures WHERE idx = ?", [SQLValue(arch)])?.string else {
            throw StoreError.indexOutOfRange(arch)
        }
        let (d, h, s, notes) = try resolveChoices(dataset: dataset, hp: hp, split: split) { try availability(arch: arch) }
        let st = try db.statement("""
            SELECT t.seed, r.epoch, r.accuracy, r.loss, r.time FROM trials t JOIN results r ON r.trial_id = t.id
            WHERE t.arch_idx = ? AND t.dataset = ? AND t.hp = ? AND r.split = ?
            ORDER BY t.seed GLOB '[0-9]*' DESC, CAST(t.seed AS INTEGER), t.seed
            """)
        try st.bind([SQLValue(arch), .text(d), SQLValue(h), .text(s)])
        var trials: [TrialValue] = []
        while try st.step() {
            trials.append(TrialValue(seed: st.string(0), epoch: st.int(1), accuracy: st.optionalDouble(2),
                                     loss: st.optionalDouble(3), time: st.optionalDouble(4)))
        }
        let seeded = trials.filter { Int($0.seed) != nil }
        let policy: SeedPolicy
        if let seed {
            policy = seed
        } else if trials.count == 1 {
            policy = trials[0].seed == "unknown" ? .unknown : trials[0].seed == "mean" ? .mean : .seed(Int(trials[0].seed)!)
        } else {
            throw StoreError.ambiguous(choice: "seed", valid: ["mean", "all"] + trials.map(\.seed).filter { $0 != "mean" })
        }
        let validSeeds = ["mean", "all"] + trials.map(\.seed).filter { $0 != "mean" }
        let value: Double?
        let basis: String
        var shown = trials
        switch policy {
        case .all:
            value = nil
            basis = "every stored trial"
        case .mean:
            if !seeded.isEmpty {
                let accs = seeded.compactMap(\.accuracy)
                value = accs.isEmpty ? nil : accs.reduce(0, +) / Double(accs.count)
                basis = "mean of seed\(seeded.count == 1 ? "" : "s") \(seeded.map(\.seed).joined(separator: ", "))"
                shown = seeded
            } else if let published = trials.first(where: { $0.seed == "mean" }) {
                value = published.accuracy
                basis = "seed mean as published by the imported table"
                shown = [published]
            } else {
                throw StoreError.unknownSeed("mean", valid: validSeeds.filter { $0 != "mean" })
            }
        case .seed(let n):
            guard let t = seeded.first(where: { Int($0.seed) == n }) else { throw StoreError.unknownSeed(String(n), valid: validSeeds) }
            value = t.accuracy
            basis = "seed \(n)"
            shown = [t]
        case .unknown:
            guard let t = trials.first(where: { $0.seed == "unknown" }) else { throw StoreError.unknownSeed("unknown", valid: validSeeds) }
            value = t.accuracy
            basis = "one run of unknown seed, as published by the imported table"
            shown = [t]
        }
        return QueryAnswer(index: arch, arch: archString, dataset: d, hp: h, split: s, seedPolicy: policy.description,
                           accuracy: value, basis: basis, trials: shown, notes: notes)
    }

    /// Every architecture's accuracy under one (dataset, split, hp, seed policy), best first.
    /// `mean` averages seeded runs where any are stored, else takes a published seed mean.
    public func scores(dataset: String?, split: String?, hp: Int?, seed: SeedPolicy?, filter: ArchitectureFilter = .init(),
                       limit: Int? = nil) throws -> ScoreTable {
        let all = try availability()
        let (d, h, s, notes) = try resolveChoices(dataset: dataset, hp: hp, split: split) { all }
        let seedsHere = Set(all.filter { $0.dataset == d && $0.hp == h && $0.split == s }.map(\.seed))
        let policy: SeedPolicy
        switch seed {
        case .all: throw StoreError.ambiguous(choice: "seed", valid: ["mean"] + seedsHere.sorted().filter { $0 != "mean" })
        case .some(let p): policy = p
        case .none:
            guard seedsHere.count == 1, let only = seedsHere.first else {
                throw StoreError.ambiguous(choice: "seed", valid: ["mean"] + seedsHere.sorted().filter { $0 != "mean" })
            }
            policy = only == "unknown" ? .unknown : (Int(only).map { SeedPolicy.seed($0) } ?? .mean)
        }
        let value = policy == .mean
            ? """
              CASE WHEN SUM(t.seed GLOB '[0-9]*') > 0 THEN AVG(CASE WHEN t.seed GLOB '[0-9]*' THEN r.accuracy END)
                   ELSE MAX(CASE WHEN t.seed = 'mean' THEN r.accuracy END) END
              """
            : "MAX(r.accuracy)"
        var conditions = ["t.dataset = ?", "t.hp = ?", "r.split = ?", policy.trialCondition]
        var args: [SQLValue] = [.text(d), SQLValue(h), .text(s)]
        if let p = filter.maxParamsM { conditions.append("c.params <= ?"); args.append(.real(p)) }
        if let f = filter.maxFlopsM { conditions.append("c.flops <= ?"); args.append(.real(f)) }
        for op in Operation.allCases where !filter.allowedOps.contains(op) {
            conditions.append("instr(a.op_codes, '\(op.rawValue)') = 0")
        }
        let sql = """
            SELECT a.idx, a.arch_str, \(value) AS acc, c.params, c.flops
            FROM trials t JOIN results r ON r.trial_id = t.id JOIN architectures a ON a.idx = t.arch_idx
            JOIN costs c ON c.arch_idx = a.idx AND c.dataset = t.dataset AND c.origin = 'cost-model'
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY a.idx HAVING acc IS NOT NULL ORDER BY acc DESC, a.idx
            \(limit.map { "LIMIT \($0)" } ?? "")
            """
        let st = try db.statement(sql)
        try st.bind(args)
        var rows: [ScoredArchitecture] = []
        while try st.step() {
            rows.append(ScoredArchitecture(index: st.int(0), arch: st.string(1), accuracy: st.double(2),
                                           paramsM: st.double(3), flopsM: st.double(4)))
        }
        return ScoreTable(dataset: d, hp: h, split: s, seed: policy.description, notes: notes, rows: rows)
    }

    /// Counts and coverage for `nb201 info`.
    public struct Coverage: Sendable, Codable {
        public let dataset: String
        public let hp: Int
        public let seed: String
        public let architectures: Int
        public let splits: String
    }

    public func coverage() throws -> [Coverage] {
        try db.rows("""
            SELECT dataset, hp, seed, max(architectures) AS architectures, group_concat(split) AS splits FROM coverage GROUP BY 1, 2, 3
            ORDER BY 1, 2, seed GLOB '[0-9]*' DESC, 3
            """).map {
            Coverage(dataset: $0["dataset"].string!, hp: $0["hp"].int!, seed: $0["seed"].string!, architectures: $0["architectures"].int!,
                     splits: $0["splits"].string ?? "")
        }
    }

    /// Runs a read-only SQL statement (anything that would write is refused before it runs).
    public func readOnlyQuery(_ sql: String) throws -> (columns: [String], rows: [[SQLValue]]) {
        let st: Statement
        // The statement is the user's: one SQLite cannot prepare is a value to correct, not a database failure.
        do { st = try Statement(database: db, sql: sql) } catch { throw StoreError.invalidValue(error.description) }
        guard st.isReadOnly else { throw StoreError.notReadOnly(sql) }
        var rows: [[SQLValue]] = []
        while try st.step() { rows.append(st.row()) }
        return ((0..<st.columnCount).map(st.columnName), rows)
    }
}

extension BenchmarkStore {
    /// Results whose accuracy lies outside 0...100 percent, and the architectures holding one (in index order).
    public func accuraciesOutOfRange() throws -> (results: Int, architectures: [Int]) {
        let architectures = try db.rows("""
            SELECT DISTINCT t.arch_idx AS arch_idx FROM results r JOIN trials t ON t.id = r.trial_id
            WHERE r.accuracy < 0 OR r.accuracy > 100 ORDER BY 1
            """).map { $0["arch_idx"].int! }
        let results = try db.scalar("SELECT count(*) FROM results WHERE accuracy < 0 OR accuracy > 100")?.int ?? 0
        return (results, architectures)
    }
}

extension BenchmarkStore {
    /// The cost of a network that nb201's cost model gives every architecture of `dataset`'s network.
    public enum CostModelColumn: String, Sendable, CaseIterable {
        case params, flops
    }

    /// Parameter count (M) or FLOPs (M) of every architecture under nb201's exact cost model for `dataset`'s network.
    public func costModel(_ column: CostModelColumn, dataset: String) throws -> [Int: Double] {
        let rows = try db.rows("SELECT arch_idx, \(column.rawValue) AS cost FROM costs WHERE dataset = ? AND origin = 'cost-model'", [.text(dataset)])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["arch_idx"].int!, $0["cost"].double!) })
    }

    /// How many distinct architectures each run has estimated, by run id (runs without estimates are absent).
    public func estimatedArchitectureCounts() throws -> [Int: Int] {
        Dictionary(uniqueKeysWithValues: try db.rows("SELECT run_id, count(DISTINCT arch_idx) AS archs FROM estimates GROUP BY run_id")
            .map { ($0["run_id"].int!, $0["archs"].int!) })
    }

    /// Every architecture string in benchmark index order.
    public func architectureStrings() throws -> [String] {
        try db.rows("SELECT arch_str FROM architectures ORDER BY idx").map { $0["arch_str"].string! }
    }
}

/// One stored per-epoch series of a trial.
public struct StoredCurve: Sendable, Equatable {
    public let seed: String
    /// One value per epoch from epoch 0; NaN where the split was not evaluated that epoch.
    public let values: [Double]
}

extension BenchmarkStore {
    /// The per-epoch `metric` (accuracy, loss or time) of architecture `arch` on (`dataset`, `hp`, `split`), one curve
    /// per stored trial, seeds in numeric order. Empty where the source held no curves (a ground-truth table).
    public func curves(arch: Int, dataset: String, hp: Int, split: String, metric: String) throws -> [StoredCurve] {
        let rows = try db.rows("""
            SELECT t.seed AS seed, c.per_epoch AS per_epoch, c.encoding AS encoding FROM curves c JOIN trials t ON t.id = c.trial_id
            WHERE t.arch_idx = ? AND t.dataset = ? AND t.hp = ? AND c.split = ? AND c.metric = ?
            ORDER BY t.seed GLOB '[0-9]*' DESC, CAST(t.seed AS INTEGER), t.seed
            """, [SQLValue(arch), .text(dataset), SQLValue(hp), .text(split), .text(metric)])
        return try rows.map { row in
            guard case let .blob(bytes) = row["per_epoch"], let name = row["encoding"].string else {
                throw StoreError.corruptValue("a curve of architecture \(arch) (\(dataset), hp \(hp), \(split) \(metric)) is not a blob")
            }
            guard let encoding = CurveEncoding(rawValue: name) else {
                throw StoreError.corruptValue("curve encoding '\(name)' of architecture \(arch) is not one this nb201 reads (float32, zlib-float32); a newer nb201 wrote it")
            }
            return StoredCurve(seed: row["seed"].string ?? "", values: try BenchmarkStore.decodeCurve(bytes, encoding: encoding))
        }
    }
}
