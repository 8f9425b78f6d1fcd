import Foundation

/// What `merge(_:)` brought into a database.
public struct MergeReport: Sendable, Codable, Equatable {
    public var files: Int
    /// Runs the files hold (by name), and how many of them were new here.
    public var runs: Int
    public var newRuns: Int
    /// Epoch-log rows and estimates added; rows already here with the same values are not counted.
    public var epochs: Int
    public var estimates: Int
}

extension BenchmarkStore {
    /// Opens `path` to merge into. A missing file starts as a copy of `input`'s benchmark tables (architectures,
    /// ground truth, costs) without its runs and rankings: the merge brings its runs in as it does every input's.
    public static func mergeTarget(path: String, benchmarkFrom input: String) throws -> BenchmarkStore {
        guard !FileManager.default.fileExists(atPath: path) else { return try BenchmarkStore(path: path) }
        guard FileManager.default.isReadableFile(atPath: input) else { throw StoreError.fileUnreadable(input) }
        try BenchmarkStore(path: input, readOnly: true).copy(to: path)
        let store = try BenchmarkStore(path: path)
        try store.db.transaction { try store.db.execute("DELETE FROM runs; DELETE FROM rankings") }
        return store
    }

    /// Merges the runs, epoch logs and estimates of `inputs` (other nb201 databases, e.g. the job files of a study run
    /// on Slurm) into this database, all or nothing.
    ///
    /// - Runs are matched by name (ids differ per file). Every file holding a run must agree on its kind, dataset,
    ///   seed and protocol, and on its summary where two files have one; epoch rows and estimates with the same key
    ///   (run, epoch) / (run, estimator, path) must agree on their values (their measured seconds may differ: the first
    ///   file's are kept). A disagreement is refused with a message naming the run, the row and both files, and
    ///   nothing is changed.
    /// - Totals: a run's wall seconds and images seen here are what it held before its first merge plus, per input
    ///   file, that file's totals (a Slurm study's training job holds the training, each evaluation shard its paths'
    ///   seconds). A file is known by its name (table `run_parts`): merging a file of the same name again replaces its
    ///   part, so merging twice changes nothing and a requeued job's newer copy replaces its older one.
    /// - Status: finished where any file finished the run, else running where any file has it running; started_at
    ///   the earliest, finished_at the latest of the files with the run's status.
    /// Rankings are not merged (`nb201 rank` recomputes them); benchmark tables are this database's own, and an
    /// estimate of an architecture it does not hold is refused.
    @discardableResult
    public func merge(_ inputs: [String]) throws -> MergeReport {
        let parts = inputs.map { URL(fileURLWithPath: $0).lastPathComponent }
        for (i, input) in inputs.enumerated() {
            guard FileManager.default.isReadableFile(atPath: input) else { throw StoreError.fileUnreadable(input) }
            guard !Self.sameFile(input, db.path) else {
                throw StoreError.invalidValue("\(input) is the database being merged into; name it only once, first")
            }
            if let j = parts[..<i].firstIndex(of: parts[i]) {
                throw StoreError.invalidValue("\(inputs[j]) and \(input) are both called '\(parts[i])', the name by which a merged file's part of a run's totals is known (data/SCHEMA.md, run_parts): rename one")
            }
        }
        try db.execute(Self.stagingTables)
        defer { try? db.execute("DROP TABLE temp.merge_runs; DROP TABLE temp.merge_epochs; DROP TABLE temp.merge_estimates") }
        for (i, input) in inputs.enumerated() { try stage(input, ordinal: i + 1, part: parts[i]) }
        return try db.transaction {
            try stageOwnRows()
            try refuseConflicts()
            let runs = try db.scalar("SELECT count(DISTINCT name) FROM temp.merge_runs WHERE ordinal > 0")?.int ?? 0
            try db.execute("""
                INSERT INTO main.runs (kind, name, dataset, seed, protocol, code_version, status, started_at, summary)
                SELECT kind, name, dataset, seed, protocol, code_version, 'running', started_at, '{}'
                FROM (SELECT *, min(ordinal) FROM temp.merge_runs WHERE name NOT IN (SELECT name FROM main.runs) GROUP BY name)
                """)
            let newRuns = db.changes
            // Totals first (each file's part replaces what the same file gave before), then the parts themselves.
            try db.execute("""
                UPDATE main.runs SET
                  status = (SELECT CASE WHEN max(s.status = 'finished') THEN 'finished' WHEN max(s.status = 'running') THEN 'running'
                            ELSE 'failed' END FROM temp.merge_runs s WHERE s.name = runs.name),
                  started_at = (SELECT min(s.started_at) FROM temp.merge_runs s WHERE s.name = runs.name),
                  summary = coalesce((SELECT s.summary FROM temp.merge_runs s WHERE s.name = runs.name AND s.summary != '{}' LIMIT 1), '{}'),
                  wall_seconds = wall_seconds + (SELECT total(s.wall_seconds - coalesce(p.wall_seconds, 0)) FROM temp.merge_runs s
                    LEFT JOIN main.run_parts p ON p.run_id = runs.id AND p.part = s.part WHERE s.name = runs.name AND s.ordinal > 0),
                  images_seen = images_seen + (SELECT coalesce(sum(s.images_seen - coalesce(p.images_seen, 0)), 0) FROM temp.merge_runs s
                    LEFT JOIN main.run_parts p ON p.run_id = runs.id AND p.part = s.part WHERE s.name = runs.name AND s.ordinal > 0)
                WHERE name IN (SELECT name FROM temp.merge_runs WHERE ordinal > 0);
                UPDATE main.runs SET finished_at = CASE status WHEN 'running' THEN NULL
                  ELSE (SELECT max(s.finished_at) FROM temp.merge_runs s WHERE s.name = runs.name AND s.status = runs.status) END
                WHERE name IN (SELECT name FROM temp.merge_runs WHERE ordinal > 0);
                INSERT OR REPLACE INTO main.run_parts (run_id, part, wall_seconds, images_seen)
                SELECT r.id, s.part, s.wall_seconds, s.images_seen FROM temp.merge_runs s JOIN main.runs r ON r.name = s.name
                WHERE s.ordinal > 0 AND (s.wall_seconds != 0 OR s.images_seen != 0
                  OR EXISTS (SELECT 1 FROM main.run_parts p WHERE p.run_id = r.id AND p.part = s.part));
                """)
            // Rows already here are equal in value (conflicts were refused above): OR IGNORE keeps the first file's seconds.
            try db.execute("""
                INSERT OR IGNORE INTO main.run_epochs (run_id, epoch, train_loss, train_accuracy, learning_rate, seconds, images, metrics)
                SELECT r.id, s.epoch, s.train_loss, s.train_accuracy, s.learning_rate, s.seconds, s.images, s.metrics
                FROM temp.merge_epochs s JOIN main.runs r ON r.name = s.name WHERE s.ordinal > 0 ORDER BY s.ordinal
                """)
            let epochs = db.changes
            try db.execute("""
                INSERT OR IGNORE INTO main.estimates (run_id, arch_idx, estimator, score, accuracy, loss, details, seconds)
                SELECT r.id, s.arch_idx, s.estimator, s.score, s.accuracy, s.loss, s.details, s.seconds
                FROM temp.merge_estimates s JOIN main.runs r ON r.name = s.name WHERE s.ordinal > 0 ORDER BY s.ordinal
                """)
            return MergeReport(files: inputs.count, runs: runs, newRuns: newRuns, epochs: epochs, estimates: db.changes)
        }
    }

    /// Every file's rows, keyed by run name, with the file's position (`ordinal`, 0 for this database's own rows) and
    /// its name (`part`), so that conflicts between any two files are one self-join.
    private static let stagingTables = """
        CREATE TEMP TABLE merge_runs (ordinal INTEGER NOT NULL, source TEXT NOT NULL, part TEXT NOT NULL, name TEXT NOT NULL,
          kind TEXT, dataset TEXT, seed INTEGER, protocol TEXT, code_version TEXT, status TEXT, started_at TEXT, finished_at TEXT,
          wall_seconds REAL, images_seen INTEGER, summary TEXT);
        CREATE INDEX temp.merge_runs_name ON merge_runs (name);
        CREATE TEMP TABLE merge_epochs (ordinal INTEGER NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL, epoch INTEGER,
          train_loss REAL, train_accuracy REAL, learning_rate REAL, seconds REAL, images INTEGER, metrics TEXT);
        CREATE INDEX temp.merge_epochs_key ON merge_epochs (name, epoch);
        CREATE TEMP TABLE merge_estimates (ordinal INTEGER NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL, estimator TEXT,
          arch_idx INTEGER, score REAL, accuracy REAL, loss REAL, details TEXT, seconds REAL);
        CREATE INDEX temp.merge_estimates_key ON merge_estimates (name, estimator, arch_idx);
        """

    /// Copies one input's runs, epochs and estimates into the staging tables (attached one at a time: SQLite attaches
    /// at most 10 files at once, a study has dozens of jobs).
    private func stage(_ input: String, ordinal: Int, part: String) throws {
        try db.run("ATTACH DATABASE ? AS job", [.text(input)])
        defer { try? db.execute("DETACH DATABASE job") }
        let version = try Self.schemaVersion(of: db, schema: "job", path: input)
        guard version <= Schema.currentVersion else {
            throw StoreError.newerSchema(path: input, found: version, supported: Schema.currentVersion)
        }
        guard version >= 2 else { throw StoreError.noData("\(input) holds no runs (schema version \(version)); nothing to merge from it") }
        if let missing = try db.scalar("SELECT min(arch_idx) FROM job.estimates WHERE arch_idx NOT IN (SELECT idx FROM main.architectures)")?.int {
            throw StoreError.noData("\(input) holds estimates of architecture \(missing), which \(db.path) does not hold; merge into a database of the same benchmark (a Slurm study's base.sqlite, or the database the study was emitted from)")
        }
        let key: [SQLValue] = [SQLValue(ordinal), .text(input)]
        try db.run("""
            INSERT INTO temp.merge_runs SELECT ?, ?, ?, name, kind, dataset, seed, protocol, code_version, status, started_at, finished_at,
              wall_seconds, images_seen, summary FROM job.runs
            """, key + [.text(part)])
        try db.run("""
            INSERT INTO temp.merge_epochs SELECT ?, ?, r.name, e.epoch, e.train_loss, e.train_accuracy, e.learning_rate, e.seconds, e.images, e.metrics
            FROM job.run_epochs e JOIN job.runs r ON r.id = e.run_id
            """, key)
        try db.run("""
            INSERT INTO temp.merge_estimates SELECT ?, ?, r.name, e.estimator, e.arch_idx, e.score, e.accuracy, e.loss, e.details, e.seconds
            FROM job.estimates e JOIN job.runs r ON r.id = e.run_id
            """, key)
    }

    /// This database's own rows of the runs the inputs hold, as file 0.
    private func stageOwnRows() throws {
        let key: [SQLValue] = [.text(db.path)]
        try db.run("""
            INSERT INTO temp.merge_runs SELECT 0, ?, '', name, kind, dataset, seed, protocol, code_version, status, started_at, finished_at,
              wall_seconds, images_seen, summary FROM main.runs WHERE name IN (SELECT name FROM temp.merge_runs)
            """, key)
        try db.run("""
            INSERT INTO temp.merge_epochs SELECT 0, ?, r.name, e.epoch, e.train_loss, e.train_accuracy, e.learning_rate, e.seconds, e.images, e.metrics
            FROM main.run_epochs e JOIN main.runs r ON r.id = e.run_id WHERE r.name IN (SELECT name FROM temp.merge_runs WHERE ordinal > 0)
            """, key)
        try db.run("""
            INSERT INTO temp.merge_estimates SELECT 0, ?, r.name, e.estimator, e.arch_idx, e.score, e.accuracy, e.loss, e.details, e.seconds
            FROM main.estimates e JOIN main.runs r ON r.id = e.run_id WHERE r.name IN (SELECT name FROM temp.merge_runs WHERE ordinal > 0)
            """, key)
    }

    /// Throws for the first disagreement between two files (in file order), naming the run, the row and both files.
    private func refuseConflicts() throws {
        let nothing = "nothing was merged"
        if let r = try db.rows("""
            SELECT a.name AS name, a.source AS first, b.source AS second, a.kind AS kind_a, b.kind AS kind_b,
              a.dataset AS dataset_a, b.dataset AS dataset_b, a.seed AS seed_a, b.seed AS seed_b, a.protocol AS protocol_a, b.protocol AS protocol_b
            FROM temp.merge_runs a JOIN temp.merge_runs b ON b.name = a.name AND b.ordinal > a.ordinal
            WHERE a.kind IS NOT b.kind OR a.dataset IS NOT b.dataset OR a.seed IS NOT b.seed OR a.protocol IS NOT b.protocol
            ORDER BY a.ordinal, b.ordinal, a.name LIMIT 1
            """).first {
            var fields: [String] = []
            for label in ["kind", "dataset", "seed"] where r["\(label)_a"] != r["\(label)_b"] {
                fields.append("\(label) \(r["\(label)_a"]) / \(r["\(label)_b"])")
            }
            let protocolFields = Self.differingFields(r["protocol_a"].string ?? "", r["protocol_b"].string ?? "")
            if r["protocol_a"] != r["protocol_b"] {
                fields.append("protocol (\(protocolFields.isEmpty ? "its text" : protocolFields.joined(separator: ", ")))")
            }
            throw StoreError.conflictingValue("run '\(r["name"].string!)' differs between \(r["first"].string!) and \(r["second"].string!) in \(fields.joined(separator: "; ")); \(nothing): the files of one run must come from one study (same name, kind, dataset, seed and protocol)")
        }
        if let r = try db.rows("""
            SELECT a.name AS name, a.source AS first, b.source AS second, a.summary AS summary_a, b.summary AS summary_b
            FROM temp.merge_runs a JOIN temp.merge_runs b ON b.name = a.name AND b.ordinal > a.ordinal
            WHERE a.summary != b.summary AND a.summary != '{}' AND b.summary != '{}' ORDER BY a.ordinal, b.ordinal, a.name LIMIT 1
            """).first {
            let (first, second) = (r["first"].string!, r["second"].string!)
            throw StoreError.conflictingValue("run '\(r["name"].string!)' has another summary in \(second) than in \(first) (e.g. paths evaluated under another protocol); \(nothing):\n  \(first): \(r["summary_a"].string!)\n  \(second): \(r["summary_b"].string!)")
        }
        if let r = try db.rows("""
            SELECT a.name AS name, a.epoch AS epoch, a.source AS first, b.source AS second, a.train_loss AS loss_a, b.train_loss AS loss_b
            FROM temp.merge_epochs a JOIN temp.merge_epochs b ON b.name = a.name AND b.epoch = a.epoch AND b.ordinal > a.ordinal
            WHERE a.train_loss IS NOT b.train_loss OR a.train_accuracy IS NOT b.train_accuracy OR a.learning_rate IS NOT b.learning_rate
              OR a.images IS NOT b.images OR a.metrics IS NOT b.metrics
            ORDER BY a.ordinal, b.ordinal, a.name, a.epoch LIMIT 1
            """).first {
            throw StoreError.conflictingValue("run '\(r["name"].string!)' logs epoch \(r["epoch"].int! + 1) differently in \(r["first"].string!) and \(r["second"].string!) (training loss \(r["loss_a"]) / \(r["loss_b"])); \(nothing): an epoch trained twice must give the same numbers")
        }
        let estimateConflicts = """
            FROM temp.merge_estimates a JOIN temp.merge_estimates b
              ON b.name = a.name AND b.estimator = a.estimator AND b.arch_idx = a.arch_idx AND b.ordinal > a.ordinal
            WHERE a.score IS NOT b.score OR a.accuracy IS NOT b.accuracy OR a.loss IS NOT b.loss OR a.details IS NOT b.details
            """
        if let r = try db.rows("""
            SELECT a.name AS name, a.estimator AS estimator, a.arch_idx AS arch, a.source AS first, b.source AS second,
              a.score AS score_a, b.score AS score_b \(estimateConflicts) ORDER BY a.ordinal, b.ordinal, a.name, a.estimator, a.arch_idx LIMIT 1
            """).first {
            let count = try db.scalar("SELECT count(*) \(estimateConflicts)")?.int ?? 1
            let arch = r["arch"].int!, archString = (try? cell(at: arch).archString) ?? "?"
            throw StoreError.conflictingValue("run '\(r["name"].string!)' has conflicting '\(r["estimator"].string!)' estimates of path \(arch) (\(archString)): \(r["score_a"]) in \(r["first"].string!), \(r["score_b"]) in \(r["second"].string!)\(count > 1 ? " (and \(count - 1) more)" : ""); \(nothing): a path's estimate must not depend on the job that made it (same protocol, same build)")
        }
    }

    /// Whether two paths name the same file (same device and inode).
    private static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }
}

extension BenchmarkStore {
    /// Writes a consistent copy of the database to `destination` and only then puts it in place: VACUUM INTO a
    /// temporary file beside it, flushed to disk, renamed over it. A plain copy of a file in WAL mode can miss what is
    /// still in its -wal file; a rename means a reader, or a job killed half-way, never sees half a file.
    public func copy(to destination: String) throws {
        let target = URL(fileURLWithPath: destination)
        let directory = target.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError.cannotWrite(destination, reason: "no directory \(directory)")
        }
        guard !FileManager.default.fileExists(atPath: destination + "-wal") else {
            throw StoreError.cannotWrite(destination, reason: "\(destination)-wal exists: the file is open in WAL mode (or was not closed cleanly); close it, or open and close it once with nb201, before replacing it")
        }
        let temporary = URL(fileURLWithPath: directory).appendingPathComponent(".\(target.lastPathComponent).\(getpid()).partial").path
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try db.run("VACUUM INTO ?", [.text(temporary)])
            // VACUUM INTO does not sync its output; a node that crashes after the rename must not leave unwritten pages.
            let file = open(temporary, O_RDONLY)
            guard file >= 0, fsync(file) == 0 else {
                if file >= 0 { close(file) }
                throw StoreError.cannotWrite(temporary, reason: String(cString: strerror(errno)))
            }
            close(file)
            guard rename(temporary, destination) == 0 else { throw StoreError.cannotWrite(destination, reason: String(cString: strerror(errno))) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
