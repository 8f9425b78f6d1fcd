/// What can go wrong with the store, each case saying what to do about it.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case notADatabase(path: String)
    case newerSchema(path: String, found: Int, supported: Int)
    case fileUnreadable(String)
    case unknownArchitecture(String)
    case indexOutOfRange(Int)
    case unknownDataset(String, valid: [String])
    case unknownSplit(String, valid: [String])
    case splitNotStored(String, dataset: String, hp: Int, valid: [String], storedFor: [String])
    case unknownHP(Int, valid: [Int])
    case unknownSeed(String, valid: [String])
    case ambiguous(choice: String, valid: [String])
    case noData(String)
    case csv(path: String, line: Int, reason: String)
    case conflictingValue(String)
    case notReadOnly(String)
    case emptyBenchmark
    /// A value the user chose that cannot work, the message naming it and what is valid.
    case invalidValue(String)
    case cannotWrite(String, reason: String)
    /// A stored value that cannot be read back (e.g. a damaged curve blob).
    case corruptValue(String)

    public var description: String {
        switch self {
        case .notADatabase(let p):
            "\(p) is not an nb201 SQLite database (the file exists but SQLite cannot read it); pass another --db path"
        case .newerSchema(let p, let found, let supported):
            "\(p) has schema version \(found), newer than this nb201 supports (\(supported)); upgrade nb201 or use another --db"
        case .fileUnreadable(let p): "cannot read \(p): no such file or no permission"
        case .unknownArchitecture(let a):
            "unknown architecture '\(a)': give a benchmark index 0-15624, an arch string such as |nor_conv_3x3~0|+|...|+|...| or 6 op codes such as 333132"
        case .indexOutOfRange(let i): "architecture index \(i) is outside the benchmark's 0...15624"
        case .unknownDataset(let d, let valid): "unknown dataset '\(d)'; this database holds: \(valid.joined(separator: ", "))"
        case .unknownSplit(let s, let valid): "no split '\(s)' here; valid splits: \(valid.joined(separator: ", "))"
        case .splitNotStored(let s, let d, let h, let valid, let holders):
            "\(d) (hp \(h)) has no split '\(s)' stored; its splits: \(valid.joined(separator: ", ")); '\(s)' is stored for \(holders.joined(separator: ", "))"
        case .unknownHP(let h, let valid): "no hp \(h) here; valid: \(valid.map(String.init).joined(separator: ", "))"
        case .unknownSeed(let s, let valid): "no seed '\(s)' here; valid: \(valid.joined(separator: ", "))"
        case .ambiguous(let choice, let valid): "choose --\(choice): the database holds \(valid.joined(separator: ", "))"
        case .noData(let what): "no data: \(what)"
        case .csv(let p, let line, let reason): "\(p), line \(line): \(reason)"
        case .conflictingValue(let what): "conflicting value: \(what)"
        case .notReadOnly(let sql): "only read-only statements are allowed here: \(sql)"
        case .invalidValue(let what): what
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        case .corruptValue(let what): "corrupt value in the database: \(what)"
        case .emptyBenchmark: "the database holds no architectures yet; import a ground-truth table or the official files first (nb201 import-table / nb201 import)"
        }
    }
}
