import Foundation

/// Minimal RFC 4180 reader: comma-separated, optional double quotes (with "" escapes), LF or CRLF line ends.
/// Every record must have as many fields as the header: a short record is reported as a truncated file.
struct CSVReader {
    let path: String
    let header: [String]
    private let records: [[String]]
    private let lineNumbers: [Int]

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw StoreError.fileUnreadable(path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StoreError.csv(path: path, line: 1, reason: "not UTF-8 text")
        }
        var rows: [[String]] = []
        var lines: [Int] = []
        var field = ""
        var row: [String] = []
        var inQuotes = false
        var line = 1
        var rowStart = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRow() {
            row.append(field)
            field = ""
            if !(row.count == 1 && row[0].isEmpty) {
                rows.append(row)
                lines.append(rowStart)
            }
            row = []
        }
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\r": break
            case "\n":
                endRow()
                line += 1
                rowStart = line
            default: field.unicodeScalars.append(c)
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

    var count: Int { records.count }

    /// (line number, fields) of every record.
    var rows: Zip2Sequence<[Int], [[String]]> { zip(lineNumbers, records) }
}
