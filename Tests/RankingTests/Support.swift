import Foundation

/// The package root, from this file's path (Tests/RankingTests/Support.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The merged NAS-Bench-201 ground truth in ../shared, read in place (never copied into the repository).
enum GroundTruth {
    static let path = packageRoot.appendingPathComponent("../shared/data/groundtruth/nb201_groundtruth_merged.csv")
        .standardizedFileURL

    static var isPresent: Bool { FileManager.default.fileExists(atPath: path.path) }

    struct FormatError: Error, CustomStringConvertible { var description: String }

    /// The named columns: numeric ones as Double, or the raw strings via `text`.
    static func table() throws -> (header: [String], rows: [[Substring]]) {
        let text = try String(contentsOf: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return (header, lines.map { $0.split(separator: ",", omittingEmptySubsequences: false) })
    }

    static func columns(_ names: [String]) throws -> [[Double]] {
        let (header, rows) = try table()
        return try names.map { name in
            guard let c = header.firstIndex(of: name) else { throw FormatError(description: "\(path.path): no column \(name)") }
            return try rows.enumerated().map { r, row in
                guard c < row.count, let v = Double(row[c]) else {
                    throw FormatError(description: "\(path.path) row \(r + 2): \(name) is not a number")
                }
                return v
            }
        }
    }

    static func textColumn(_ name: String) throws -> [String] {
        let (header, rows) = try table()
        guard let c = header.firstIndex(of: name) else { throw FormatError(description: "\(path.path): no column \(name)") }
        return rows.map { String($0[c]) }
    }
}
