import Foundation

/// Minimal RFC 4180 reader: comma-separated, optional double quotes (with "" escapes), LF or CRLF line ends.
/// Fields are decoded as UTF-8 (invalid bytes become U+FFFD and then fail the field's own parse).
/// Every record must have as many fields as the header: a short record is reported as a truncated file.
public struct CSVReader {
    public let path: String
    public let header: [String]
    private let records: [[String]]
    private let lineNumbers: [Int]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw StoreError.fileUnreadable(path) }
        var rows: [[String]] = []
        var lines: [Int] = []
        var row: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var rowStart = 1
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRow() {
            endField()
            if !(row.count == 1 && row[0].isEmpty) {
                rows.append(row)
                lines.append(rowStart)
            }
            row = []
        }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i < bytes.count {
                let c = bytes[i]
                i += 1
                if inQuotes {
                    if c == quote {
                        if i < bytes.count, bytes[i] == quote { field.append(quote); i += 1 } else { inQuotes = false }
                    } else {
                        if c == lf { line += 1 }
                        field.append(c)
                    }
                    continue
                }
                switch c {
                case quote: inQuotes = true
                case comma: endField()
                case cr: break
                case lf:
                    endRow()
                    line += 1
                    rowStart = line
                default: field.append(c)
                }
            }
        }
        if inQuotes { throw StoreError.csv(path: path, line: rowStart, reason: "file ends inside a quoted field (truncated?)") }
        if !field.isEmpty || !row.isEmpty { endRow() }
        guard let first = rows.first else { throw StoreError.csv(path: path, line: 1, reason: "empty file: no header") }
        header = first.map { $0.trimmingCharacters(in: .whitespaces) }
        for (i, r) in rows.enumerated().dropFirst() where r.count != first.count {
            throw StoreError.csv(path: path, line: lines[i],
                                 reason: "\(r.count) fields where the header has \(first.count) (truncated or malformed file)")
        }
        records = Array(rows.dropFirst())
        lineNumbers = Array(lines.dropFirst())
        self.path = path
    }

    public var count: Int { records.count }

    /// (line number, fields) of every record.
    public var rows: Zip2Sequence<[Int], [[String]]> { zip(lineNumbers, records) }
}
