import CSQLite
import Foundation
import SearchSpace

/// The project's SQLite file: the benchmark tables plus (in later versions) runs and estimates.
/// Opening checks that the file is SQLite and not from a newer nb201, then applies pending migrations.
public final class BenchmarkStore {
    public let db: Database

    /// Where the database lives when no path is given: `$NB201_DB`, else `nb201.sqlite` in the working directory.
    public static var defaultPath: String { ProcessInfo.processInfo.environment["NB201_DB"] ?? "nb201.sqlite" }

    public init(path: String, readOnly: Bool = false) throws {
        if readOnly, !FileManager.default.fileExists(atPath: path) { throw StoreError.fileUnreadable(path) }
        db = try Database(path: path, mode: readOnly ? .readOnly : .readWrite)
        let version = try BenchmarkStore.schemaVersion(of: db, path: path)
        guard version <= Schema.currentVersion else {
            throw StoreError.newerSchema(path: path, found: version, supported: Schema.currentVersion)
        }
        try db.execute("PRAGMA foreign_keys = ON")
        if !readOnly {
            // 16 KB pages for a new file (before WAL mode fixes the size): a curve blob is ~450 bytes, and a NATS-Bench
            // import is 4 % smaller and about 2 % cheaper than with SQLite's default 4 KB. A 64 MiB page cache
            // holds the whole benchmark while an import builds its indexes.
            try db.execute("PRAGMA page_size = 16384")
            try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536")
            try migrate(from: version)
        } else if version < Schema.currentVersion {
            throw StoreError.noData("\(path) has schema version \(version); open it once read-write to migrate it")
        }
    }

    /// The `user_version` of the file open (or attached) as `schema`; a file SQLite cannot read as a database is reported as such.
    static func schemaVersion(of db: Database, schema: String = "main", path: String) throws -> Int {
        let result = Result { () throws(DatabaseError) -> Int in
            let version = try db.scalar("PRAGMA \(schema).user_version")?.int ?? 0
            _ = try db.scalar("SELECT count(*) FROM \(schema).sqlite_schema")
            return version
        }
        switch result {
        case .success(let version): return version
        case .failure(let e) where e.code == SQLITE_NOTADB: throw StoreError.notADatabase(path: path)
        case .failure(let e): throw e
        }
    }

    private func migrate(from version: Int) throws {
        guard version < Schema.currentVersion else { return }
        try db.transaction {
            for v in version..<Schema.currentVersion {
                try db.execute(Schema.migrations[v])
            }
            try db.execute("PRAGMA user_version = \(Schema.currentVersion)")
        }
    }

    public var schemaVersion: Int { (try? db.scalar("PRAGMA user_version")?.int) ?? 0 }

    /// Runs a bulk import (`body`'s transactions) with a rollback journal instead of the WAL. An import appends new
    /// pages, which a rollback journal never copies, while the WAL writes every page twice (to the log, then into the
    /// file at each checkpoint): a quarter less system time on 1,000 NATS files. Each transaction stays atomic, and a
    /// crash leaves a journal that the next open rolls back. Where another connection holds the file the mode cannot
    /// change, and the import runs with the WAL as before; the WAL is back when `body` ends (or, should a reader
    /// hold the file then, at the next read-write open).
    public func appendingInBulk<T>(_ body: () throws -> T) throws -> T {
        let switched: Bool
        do {
            switched = try db.scalar("PRAGMA journal_mode = TRUNCATE")?.string == "truncate"
        } catch where error.code == SQLITE_BUSY { // another connection reads the file
            switched = false
        }
        defer { if switched { _ = try? db.scalar("PRAGMA journal_mode = WAL") } }
        return try body()
    }

    // MARK: sources

    public struct Source: Sendable, Codable {
        public let id: Int
        public let path: String
        public let kind: String
        public let sizeBytes: Int
        public let sha256: String
        public let importedAt: String
        public let rowCounts: String
    }

    /// The source already imported with this checksum, if any.
    public func source(sha256: String) throws -> Source? {
        try sources().first { $0.sha256 == sha256 }
    }

    public func sources() throws -> [Source] {
        try db.rows("SELECT id, path, kind, size_bytes, sha256, imported_at, row_counts FROM sources ORDER BY id").map {
            Source(id: $0["id"].int!, path: $0["path"].string!, kind: $0["kind"].string!, sizeBytes: $0["size_bytes"].int!,
                   sha256: $0["sha256"].string!, importedAt: $0["imported_at"].string!, rowCounts: $0["row_counts"].string!)
        }
    }

    /// Records an imported file; call inside the import's transaction.
    public func addSource(path: String, kind: String, sizeBytes: Int, sha256: String) throws -> Int {
        // SQLite writes the ISO 8601 UTC stamp: a Foundation date formatter per file was 5 % of an import's writing.
        try db.run("INSERT INTO sources (path, kind, size_bytes, sha256, imported_at) VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                   [.text(path), .text(kind), SQLValue(sizeBytes), .text(sha256)])
        return Int(db.lastInsertRowID)
    }

    public func addNote(source: Int, arch: Int?, _ note: String) throws {
        try db.run("INSERT INTO import_notes (source_id, arch_idx, note) VALUES (?, ?, ?)",
                   [SQLValue(source), SQLValue(arch), .text(note)])
    }

    // MARK: architectures

    public var architectureCount: Int { (try? db.scalar("SELECT count(*) FROM architectures")?.int) ?? 0 }

    /// Resolves a benchmark index, arch string or 6 op codes to the benchmark index.
    public func resolveArchitecture(_ text: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard architectureCount > 0 else { throw StoreError.emptyBenchmark }
        if let index = Int(trimmed), trimmed.count != 6 || trimmed.hasPrefix("-") {
            guard (0..<Cell.spaceSize).contains(index) else { throw StoreError.indexOutOfRange(index) }
            guard try db.scalar("SELECT 1 FROM architectures WHERE idx = ?", [SQLValue(index)]) != nil else {
                throw StoreError.noData("index \(index) is not in this database")
            }
            return index
        }
        let column: String
        let key: String
        do {
            if trimmed.contains("|") {
                key = try Cell(archString: trimmed).archString
                column = "arch_str"
            } else if trimmed.count == 6, trimmed.allSatisfy(\.isNumber) {
                key = try Cell(opCodes: trimmed).opCodes
                column = "op_codes"
            } else {
                throw StoreError.unknownArchitecture(trimmed)
            }
        } catch let e as ArchError {
            throw StoreError.unknownArchitecture("\(trimmed)' (\(e.description))")
        }
        guard let idx = try db.scalar("SELECT idx FROM architectures WHERE \(column) = ?", [.text(key)])?.int else {
            throw StoreError.noData("architecture \(key) is not in this database")
        }
        return idx
    }

    public func cell(at index: Int) throws -> Cell {
        guard let s = try db.scalar("SELECT arch_str FROM architectures WHERE idx = ?", [SQLValue(index)])?.string else {
            throw StoreError.indexOutOfRange(index)
        }
        return try Cell(archString: s)
    }
}
