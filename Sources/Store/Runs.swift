import Foundation

/// An experiment recorded in the database: a stand-alone training, a supernet training and its evaluation,
/// a set of zero-cost proxies, or estimates imported from a CSV. Its protocol (every knob that produced its
/// numbers) is stored as JSON next to them.
public struct RunRecord: Sendable, Codable, Equatable {
    public let id: Int
    public let kind: RunKind
    public let name: String
    public let dataset: String
    public let seed: UInt64
    public let protocolJSON: String
    public let codeVersion: String
    public let status: RunStatus
    public let startedAt: String
    public let finishedAt: String?
    public let wallSeconds: Double
    public let imagesSeen: Int
    public let summaryJSON: String
}

/// What experiment a run records (`runs.kind`, data/SCHEMA.md).
public enum RunKind: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case supernet, proxies, baseline
    /// One architecture trained stand-alone with the NB201 recipe (`nb201 train-arch`).
    case standalone = "train-arch"
    case reducedTraining = "reduced-training"

    public var description: String { rawValue }
}

/// Where a run stands (`runs.status`).
public enum RunStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case running, finished, failed

    public var description: String { rawValue }
}

/// One epoch of a run's log.
public struct RunEpoch: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Double?
    public var trainAccuracy: Double?
    public var learningRate: Double?
    public var seconds: Double?
    public var images: Int?
    /// Anything else the run measures per epoch (e.g. a validation accuracy), as a JSON object.
    public var metricsJSON: String

    public init(epoch: Int, trainLoss: Double? = nil, trainAccuracy: Double? = nil, learningRate: Double? = nil,
                seconds: Double? = nil, images: Int? = nil, metricsJSON: String = "{}") {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.images = images
        self.metricsJSON = metricsJSON
    }
}

/// One architecture's estimate by one estimator of a run (a supernet's accuracy, a proxy's score, ...).
public struct Estimate: Sendable, Codable, Equatable {
    public var arch: Int
    public var estimator: String
    /// Higher means predicted better (for accuracy-like estimators it is the accuracy).
    public var score: Double
    public var accuracy: Double?
    public var loss: Double?
    /// Estimator-specific facts as a JSON object, e.g. a K-shot path's simplex code.
    public var detailsJSON: String
    public var seconds: Double?

    public init(arch: Int, estimator: String, score: Double, accuracy: Double? = nil, loss: Double? = nil,
                detailsJSON: String = "{}", seconds: Double? = nil) {
        self.arch = arch
        self.estimator = estimator
        self.score = score
        self.accuracy = accuracy
        self.loss = loss
        self.detailsJSON = detailsJSON
        self.seconds = seconds
    }
}

extension BenchmarkStore {
    private static let runColumns = """
        id, kind, name, dataset, seed, protocol, code_version, status, started_at, finished_at, wall_seconds, images_seen, summary
        """

    private func runRecord(_ r: Row) throws -> RunRecord {
        guard let kind = RunKind(rawValue: r["kind"].string!), let status = RunStatus(rawValue: r["status"].string!) else {
            throw StoreError.conflictingValue("run '\(r["name"].string!)' has kind '\(r["kind"].string!)' and status '\(r["status"].string!)', "
                + "which this nb201 does not know (a newer nb201 wrote it?)")
        }
        // Seeds are stored as their 64-bit pattern: SQLite integers are signed.
        return RunRecord(id: r["id"].int!, kind: kind, name: r["name"].string!, dataset: r["dataset"].string!,
                  seed: UInt64(bitPattern: Int64(r["seed"].int!)),
                  protocolJSON: r["protocol"].string!, codeVersion: r["code_version"].string!, status: status,
                  startedAt: r["started_at"].string!, finishedAt: r["finished_at"].string, wallSeconds: r["wall_seconds"].double ?? 0,
                  imagesSeen: r["images_seen"].int ?? 0, summaryJSON: r["summary"].string!)
    }

    /// Starts a run named `name` (unique), status `running`.
    public func createRun(kind: RunKind, name: String, dataset: String, seed: UInt64, protocolJSON: String,
                          codeVersion: String) throws -> RunRecord {
        let stamp = ISO8601DateFormatter().string(from: Date())
        if try db.scalar("SELECT 1 FROM runs WHERE name = ?", [.text(name)]) != nil {
            throw StoreError.conflictingValue("a run named '\(name)' already exists; pick another name or resume it")
        }
        try db.run("""
            INSERT INTO runs (kind, name, dataset, seed, protocol, code_version, status, started_at)
            VALUES (?, ?, ?, ?, ?, ?, 'running', ?)
            """, [.text(kind.rawValue), .text(name), .text(dataset), .integer(Int64(bitPattern: seed)), .text(protocolJSON),
                  .text(codeVersion), .text(stamp)])
        return try run(id: Int(db.lastInsertRowID))
    }

    /// Opens the run `name`, creating it (status `running`) when new. An existing run must be of the same kind and
    /// protocol; otherwise nothing is touched and the error names the fields that differ. The seed is stored as
    /// its 64-bit pattern (SQLite integers are signed), so every UInt64 seed is accepted.
    public func openRun(kind: RunKind, name: String, dataset: String, seed: UInt64, protocolJSON: String,
                        codeVersion: String) throws -> RunRecord {
        guard let existing = try? run(named: name), existing.name == name else {
            return try createRun(kind: kind, name: name, dataset: dataset, seed: seed,
                                 protocolJSON: protocolJSON, codeVersion: codeVersion)
        }
        guard existing.kind == kind else {
            throw StoreError.conflictingValue("run '\(name)' is a \(existing.kind) run, not a \(kind) run; choose another name")
        }
        guard existing.protocolJSON == protocolJSON else {
            let fields = Self.differingFields(existing.protocolJSON, protocolJSON)
            throw StoreError.conflictingValue("run '\(name)' was made with another protocol (\(fields.isEmpty ? "its text differs" : "differs in " + fields.joined(separator: ", "))):\n  stored \(existing.protocolJSON)\n  now    \(protocolJSON)\nresume with the same options or choose another name")
        }
        return existing
    }

    /// Top-level keys whose values differ between two JSON objects.
    static func differingFields(_ a: String, _ b: String) -> [String] {
        func object(_ text: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
        func text(_ value: Any?) -> Data? {
            value.flatMap { try? JSONSerialization.data(withJSONObject: [$0], options: .sortedKeys) }
        }
        let x = object(a), y = object(b)
        return Set(x.keys).union(y.keys).sorted().filter { text(x[$0]) != text(y[$0]) }
    }

    public func run(id: Int) throws -> RunRecord {
        guard let r = try db.rows("SELECT \(Self.runColumns) FROM runs WHERE id = ?", [SQLValue(id)]).first else {
            throw StoreError.noData("no run with id \(id); `nb201 runs` lists them")
        }
        return try runRecord(r)
    }

    /// A run by id or by name.
    public func run(named text: String) throws -> RunRecord {
        if let id = Int(text) { return try run(id: id) }
        guard let r = try db.rows("SELECT \(Self.runColumns) FROM runs WHERE name = ?", [.text(text)]).first else {
            throw StoreError.noData("no run named '\(text)'; `nb201 runs` lists them")
        }
        return try runRecord(r)
    }

    public func runs(kind: RunKind? = nil) throws -> [RunRecord] {
        try db.rows("SELECT \(Self.runColumns) FROM runs \(kind == nil ? "" : "WHERE kind = ?") ORDER BY id",
                    kind.map { [.text($0.rawValue)] } ?? []).map(runRecord)
    }

    /// Deletes a run that holds nothing (no epoch, no estimate), e.g. one whose command failed before its first
    /// result; a run holding results is left as it is. Returns whether it was deleted.
    @discardableResult
    public func removeRunIfEmpty(id: Int) throws -> Bool {
        try db.run("""
            DELETE FROM runs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM run_epochs WHERE run_id = runs.id)
              AND NOT EXISTS (SELECT 1 FROM estimates WHERE run_id = runs.id)
            """, [SQLValue(id)])
        return db.changes > 0
    }

    /// Adds wall time and images to a run's totals and, when given, sets its status and summary.
    public func updateRun(id: Int, addSeconds: Double = 0, addImages: Int = 0, status: RunStatus? = nil,
                          summaryJSON: String? = nil) throws {
        let finished = status == .finished || status == .failed ? ISO8601DateFormatter().string(from: Date()) : nil
        try db.run("""
            UPDATE runs SET wall_seconds = wall_seconds + ?, images_seen = images_seen + ?,
              status = COALESCE(?, status), summary = COALESCE(?, summary), finished_at = COALESCE(?, finished_at)
            WHERE id = ?
            """, [.real(addSeconds), SQLValue(addImages), SQLValue(status?.rawValue), SQLValue(summaryJSON), SQLValue(finished), SQLValue(id)])
    }

    /// Records (or replaces, after a resume) one epoch of a run's log.
    public func recordEpoch(run: Int, _ e: RunEpoch) throws {
        try db.run("""
            INSERT OR REPLACE INTO run_epochs (run_id, epoch, train_loss, train_accuracy, learning_rate, seconds, images, metrics)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [SQLValue(run), SQLValue(e.epoch), SQLValue(e.trainLoss), SQLValue(e.trainAccuracy), SQLValue(e.learningRate),
                  SQLValue(e.seconds), SQLValue(e.images), .text(e.metricsJSON)])
    }

    public func epochs(run: Int) throws -> [RunEpoch] {
        try db.rows("""
            SELECT epoch, train_loss, train_accuracy, learning_rate, seconds, images, metrics FROM run_epochs
            WHERE run_id = ? ORDER BY epoch
            """, [SQLValue(run)]).map {
            RunEpoch(epoch: $0["epoch"].int!, trainLoss: $0["train_loss"].double, trainAccuracy: $0["train_accuracy"].double,
                     learningRate: $0["learning_rate"].double, seconds: $0["seconds"].double, images: $0["images"].int,
                     metricsJSON: $0["metrics"].string!)
        }
    }

    /// Stores estimates in one transaction (an evaluation writes them as it goes, so an interrupted one resumes).
    public func addEstimates(run: Int, _ estimates: [Estimate]) throws {
        try db.transaction {
            let st = try db.statement("""
                INSERT OR REPLACE INTO estimates (run_id, arch_idx, estimator, score, accuracy, loss, details, seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for e in estimates {
                guard e.score.isFinite else {
                    throw StoreError.conflictingValue("estimate of architecture \(e.arch) by \(e.estimator) is \(e.score), not a finite number")
                }
                try st.execute([SQLValue(run), SQLValue(e.arch), .text(e.estimator), .real(e.score), SQLValue(e.accuracy),
                                SQLValue(e.loss), .text(e.detailsJSON), SQLValue(e.seconds)])
            }
        }
    }

    public func estimates(run: Int, estimator: String? = nil) throws -> [Estimate] {
        try db.rows("""
            SELECT arch_idx, estimator, score, accuracy, loss, details, seconds FROM estimates
            WHERE run_id = ? \(estimator == nil ? "" : "AND estimator = ?") ORDER BY estimator, arch_idx
            """, [SQLValue(run)] + (estimator.map { [SQLValue.text($0)] } ?? [])).map {
            Estimate(arch: $0["arch_idx"].int!, estimator: $0["estimator"].string!, score: $0["score"].double!, accuracy: $0["accuracy"].double,
                     loss: $0["loss"].double, detailsJSON: $0["details"].string!, seconds: $0["seconds"].double)
        }
    }
}

extension BenchmarkStore {
    /// Keeps a computed ranking row (its protocol and metrics as JSON) so a table can be traced and rebuilt.
    public func addRanking(estimator: String, source: String, architectures: Int, protocolJSON: String, metricsJSON: String) throws {
        try db.run("""
            INSERT INTO rankings (created_at, estimator, source, architectures, protocol, metrics) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(ISO8601DateFormatter().string(from: Date())), .text(estimator), .text(source), SQLValue(architectures),
                  .text(protocolJSON), .text(metricsJSON)])
    }
}

extension BenchmarkStore {
    /// Writes a small copy of this database to `path` (replacing it) holding only the runs named in `runs`, their
    /// epochs and their estimates on `architectures` (and those architectures' rows, which the estimates refer to):
    /// no benchmark results, costs or sources. Reports ship it; their notebooks attach a benchmark database for the
    /// ground truth.
    public func writeExtract(to path: String, architectures: Set<Int>, runs: [Int]) throws {
        try? FileManager.default.removeItem(atPath: path)
        try db.run("VACUUM INTO ?", [.text(path)])
        let copy = try BenchmarkStore(path: path)
        let keep = architectures.sorted().map(String.init).joined(separator: ",")
        let keepRuns = runs.map(String.init).joined(separator: ",")
        try copy.db.transaction {
            try copy.db.execute("""
                DELETE FROM trials;
                DELETE FROM costs;
                DELETE FROM import_notes;
                DELETE FROM sources;
                DELETE FROM coverage;
                DELETE FROM rankings;
                DELETE FROM runs WHERE id NOT IN (\(keepRuns));
                DELETE FROM estimates WHERE arch_idx NOT IN (\(keep));
                DELETE FROM architectures WHERE idx NOT IN (\(keep));
                """)
        }
        try copy.db.execute("VACUUM")
    }
}
