import Foundation
import Testing
import TestSupport

/// Store owns SQL (ARCHITECTURE.md, "One owner per rule"): no other module's Swift source holds an SQL statement.
/// The notebooks nb201 writes carry Python that queries the database the user opens; that SQL is the notebook's.
@Suite struct SQLHomeTests {
    static let notebookWriters: Set<String> = ["Sources/Reports/ReportNotebook.swift", "Sources/Study/StudyNotebook.swift"]
    static let statement = try! NSRegularExpression(pattern: #"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|BEGIN(\s+(IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION))?"|COMMIT\b|ROLLBACK\b|CREATE\s+(TABLE|INDEX|VIEW|TRIGGER)|DROP\s+(TABLE|INDEX|VIEW)|ALTER\s+TABLE|PRAGMA\s+\w+|ATTACH\s+DATABASE|DETACH\s|VACUUM\b)"#)

    /// Lines of non-comment Swift code outside Sources/Store that hold an SQL statement, as "path:line: text".
    static func statementsOutsideStore(root: URL) throws -> [String] {
        let sources = root.appendingPathComponent("Sources")
        var found: [String] = []
        for case let url as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)! where url.pathExtension == "swift" {
            let relative = String(url.path.dropFirst(root.path.count + 1))
            guard !relative.hasPrefix("Sources/Store/"), !notebookWriters.contains(relative) else { continue }
            for (number, line) in try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                guard !code.hasPrefix("//") else { continue }
                if statement.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil { found.append("\(relative):\(number + 1): \(code)") }
            }
        }
        return found
    }

    @Test func sqlLivesOnlyInStore() throws {
        let found = try Self.statementsOutsideStore(root: SharedData.packageRoot)
        #expect(found.isEmpty, "SQL outside Sources/Store (move it into a Store query):\n\(found.joined(separator: "\n"))")
    }

    /// The check finds what it looks for: statements of each kind, in single- and multi-line strings.
    @Test func theCheckSeesStatements() throws {
        let dir = SharedData.temporaryDirectory()
        let module = dir.appendingPathComponent("Sources/Reports")
        try FileManager.default.createDirectory(at: module, withIntermediateDirectories: true)
        try """
            let a = try db.rows("SELECT arch_idx FROM costs WHERE dataset = ?")
            /// SELECT x FROM y in a comment is fine
            try db.execute("BEGIN IMMEDIATE")
            let b = \"\"\"
                DELETE FROM estimates WHERE run_id = ?
                \"\"\"
            let help = "A SELECT (or other read-only) statement."
            """.write(to: module.appendingPathComponent("X.swift"), atomically: true, encoding: .utf8)
        let found = try Self.statementsOutsideStore(root: dir)
        #expect(found.map { $0.split(separator: ":")[1] } == ["1", "3", "5"], "\(found)")
    }
}
