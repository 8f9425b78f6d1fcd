import ArgumentParser
import Store

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run one read-only SQL statement against the database (see data/SCHEMA.md)."
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "A SELECT (or other read-only) statement.") var statement: String
    @Flag(help: "Print JSON (one object per row).") var json = false

    func run() throws {
        try reportingErrors {
            let store = try database.open(readOnly: true)
            let (columns, rows) = try store.readOnlyQuery(statement)
            if json {
                let objects = rows.map { row in
                    Dictionary(uniqueKeysWithValues: zip(columns, row.map { v -> JSONScalar in
                        switch v {
                        case .null: .null
                        case .integer(let i): .int(i)
                        case .real(let d): .double(d)
                        case .text(let s): .string(s)
                        case .blob(let b): .string("<blob \(b.count) bytes>")
                        }
                    }))
                }
                return try printJSON(objects)
            }
            print(formatTable(columns, rows.map { $0.map(\.description) }))
        }
    }
}

enum JSONScalar: Encodable {
    case null, int(Int64), double(Double), string(String)
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        }
    }
}
