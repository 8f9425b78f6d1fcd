import CSQLite
import Foundation

/// A failure talking to SQLite, with the statement or file it concerns.
public struct DatabaseError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let context: String

    public var description: String { "\(context): \(message) (SQLite code \(code))" }
}

/// SQLITE_TRANSIENT: ask SQLite to copy bound text/blobs (the Swift buffers do not outlive the call).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection (the C API, in the shape GRDB uses: statements, typed rows, transactions as closures).
/// Not thread-safe: use one connection per thread.
public final class Database {
    let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: Statement] = [:]

    public enum Mode: Sendable { case readWrite, readOnly }

    public init(path: String, mode: Mode = .readWrite) throws(DatabaseError) {
        var db: OpaquePointer?
        let flags = mode == .readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw DatabaseError(code: rc, message: message, context: "opening database \(path)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5000)
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ rc: Int32, _ context: String) -> DatabaseError {
        DatabaseError(code: rc, message: String(cString: sqlite3_errmsg(handle)), context: context)
    }

    /// Runs one or more statements without results.
    public func execute(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw DatabaseError(code: rc, message: text, context: "executing \(sql.prefix(120))")
        }
    }

    /// A prepared statement, cached by its SQL text.
    public func statement(_ sql: String) throws(DatabaseError) -> Statement {
        if let cached = statementCache[sql] {
            cached.reset()
            return cached
        }
        let statement = try Statement(database: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Rows of a query, each read by column name (`row["arch_idx"].int`): a reordered SELECT cannot shift a value into
    /// the wrong field.
    public func rows(_ sql: String, _ arguments: [SQLValue] = []) throws(DatabaseError) -> [Row] {
        let st = try statement(sql)
        try st.bind(arguments)
        let columns = Row.Columns(names: (0..<st.columnCount).map(st.columnName))
        var out: [Row] = []
        while try st.step() { out.append(Row(columns: columns, values: st.row())) }
        return out
    }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws(DatabaseError) -> SQLValue? {
        let st = try statement(sql)
        try st.bind(arguments)
        guard try st.step() else { return nil }
        defer { st.reset() } // end the read so the connection leaves its implicit transaction
        return st.value(0)
    }

    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws(DatabaseError) {
        let st = try statement(sql)
        try st.bind(arguments)
        while try st.step() {}
    }
}

/// A value read from or bound to SQLite.
public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var int: Int? { if case .integer(let v) = self { Int(v) } else { nil } }
    public var double: Double? {
        switch self {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }
    public var string: String? { if case .text(let v) = self { v } else { nil } }

    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let v): String(v)
        case .real(let v): String(v)
        case .text(let v): v
        case .blob(let b): "<blob \(b.count) bytes>"
        }
    }
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int) { self = .integer(Int64(value)) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(_ v: Int) { self = .integer(Int64(v)) }
    public init(_ v: Int?) { self = v.map { .integer(Int64($0)) } ?? .null }
    public init(_ v: Double?) { self = v.map { .real($0) } ?? .null }
    public init(_ v: String?) { self = v.map { .text($0) } ?? .null }
}

public final class Statement {
    let handle: OpaquePointer
    unowned let database: Database
    public let sql: String

    init(database: Database, sql: String) throws(DatabaseError) {
        var st: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &st, nil)
        guard rc == SQLITE_OK else { throw database.error(rc, "preparing \(sql.prefix(200))") }
        // Text of only blanks or comments compiles to no statement (SQLite reports that as success).
        guard let st else { throw DatabaseError(code: SQLITE_MISUSE, message: "no SQL statement in '\(sql.prefix(200))' (only blanks or comments); give one, e.g. SELECT count(*) FROM architectures", context: "preparing") }
        handle = st
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func bind(_ values: [SQLValue]) throws(DatabaseError) {
        sqlite3_reset(handle)
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(handle, idx)
            case .integer(let x): rc = sqlite3_bind_int64(handle, idx, x)
            case .real(let x): rc = sqlite3_bind_double(handle, idx, x)
            case .text(let s): rc = sqlite3_bind_text(handle, idx, s, -1, transient)
            case .blob(let b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, idx, $0.baseAddress, Int32($0.count), transient) }
            }
            if rc != SQLITE_OK { throw database.error(rc, "binding parameter \(i + 1) of \(sql.prefix(200))") }
        }
    }

    /// Advances to the next row; false when done.
    public func step() throws(DatabaseError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let e = database.error(rc, "running \(sql.prefix(200))")
            sqlite3_reset(handle)
            throw e
        }
    }

    /// Binds and runs a statement that returns no rows.
    public func execute(_ values: [SQLValue]) throws(DatabaseError) {
        try bind(values)
        while try step() {}
    }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }
    public func columnName(_ i: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(i))) }

    public func value(_ i: Int) -> SQLValue {
        let c = Int32(i)
        switch sqlite3_column_type(handle, c) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, c))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, c))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(handle, c)))
        case SQLITE_BLOB:
            let n = Int(sqlite3_column_bytes(handle, c))
            guard n > 0, let p = sqlite3_column_blob(handle, c) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
        default: return .null
        }
    }

    public func int(_ i: Int) -> Int { Int(sqlite3_column_int64(handle, Int32(i))) }
    public func double(_ i: Int) -> Double { sqlite3_column_double(handle, Int32(i)) }
    public func optionalDouble(_ i: Int) -> Double? {
        sqlite3_column_type(handle, Int32(i)) == SQLITE_NULL ? nil : sqlite3_column_double(handle, Int32(i))
    }
    public func string(_ i: Int) -> String {
        guard let p = sqlite3_column_text(handle, Int32(i)) else { return "" }
        return String(cString: p)
    }

    public func row() -> [SQLValue] { (0..<columnCount).map(value) }

    /// True when the statement only reads (used to keep `nb201 sql` read-only).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }
}

/// One result row whose values are read by column name (or alias: `count(*) AS architectures`).
public struct Row {
    /// Column name -> position, shared by the rows of one query.
    public final class Columns: Sendable {
        let positions: [String: Int]
        init(names: [String]) {
            var positions: [String: Int] = [:]
            for (i, name) in names.enumerated() where positions[name] == nil { positions[name] = i }
            self.positions = positions
        }
    }

    let columns: Columns
    public let values: [SQLValue]

    /// The value of column `name`; a name the query does not select is a programming error.
    public subscript(_ name: String) -> SQLValue {
        guard let i = columns.positions[name] else {
            preconditionFailure("no column '\(name)' in this row; it has \(columns.positions.keys.sorted())")
        }
        return values[i]
    }
}
