import Foundation
import Testing
import SearchSpace
import TestSupport
@testable import Store

/// Every bad input gets a clear error and leaves the database exactly as it was.
@Suite struct BadInputTests {
    /// A store already holding a partial table, and its row counts, to check nothing changes.
    private func seeded() throws -> (BenchmarkStore, URL, [Int]) {
        let (store, dir) = try Fixtures.store()
        _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<50), name: "seed.csv", in: dir), allowPartial: true)
        return (store, dir, try Fixtures.tableCounts(store))
    }

    private func expectError(_ csv: String, mentions fragment: String, partial: Bool = true) throws {
        let (store, dir, before) = try seeded()
        let path = Fixtures.write(csv, name: "bad.csv", in: dir)
        do {
            _ = try store.importTable(path: path, allowPartial: partial)
            Issue.record("import of a bad table succeeded (expected an error mentioning \(fragment))")
        } catch let e as StoreError {
            #expect(e.description.contains(fragment), "\(e.description) should mention '\(fragment)'")
        }
        #expect(try Fixtures.tableCounts(store) == before)
    }

    @Test func missingColumn() throws {
        let csv = Fixtures.mergedCSV(rows: 100..<110).replacingOccurrences(of: ",cifar100_xtest_hp200_avg,", with: ",c100,")
        try expectError(csv, mentions: "lacks column(s) cifar100_xtest_hp200_avg")
    }

    @Test func truncatedMidRecord() throws {
        let csv = Fixtures.mergedCSV(rows: 100..<110)
        try expectError(String(csv.prefix(csv.count - 40)), mentions: "fields where the header has 13")
    }

    @Test func truncatedAtLineBoundary() throws {
        try expectError(Fixtures.mergedCSV(rows: 100..<200), mentions: "expected one per architecture", partial: false)
    }

    @Test func malformedValuesAndArchStrings() throws {
        let good = Fixtures.mergedCSV(rows: 100..<103)
        var lines = good.split(separator: "\n").map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: "nor_conv", with: "nor_kong")
        try expectError(lines.joined(separator: "\n"), mentions: "line 3")
        lines = good.split(separator: "\n").map(String.init)
        var fields = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[4] = "n/a"
        lines[1] = fields.joined(separator: ",")
        try expectError(lines.joined(separator: "\n"), mentions: "'n/a' is not a number")
    }

    @Test func wrongIsomorphismKey() throws {
        var lines = Fixtures.mergedCSV(rows: 100..<102).split(separator: "\n").map(String.init)
        lines[1] = lines[1].split(separator: ",").dropLast().joined(separator: ",") + ",(0)@nonsense"
        try expectError(lines.joined(separator: "\n"), mentions: "isomorphism key")
    }

    @Test func conflictingArchitectureAtAnIndex() throws {
        // Index 3 already holds another cell in the seeded store.
        var lines = Fixtures.mergedCSV(rows: 3..<4).split(separator: "\n").map(String.init)
        let other = Fixtures.cell(at: 9)
        var f = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        f[1] = other.archString; f[2] = other.opCodes; f[f.count - 1] = other.canonicalForm
        lines[1] = f.joined(separator: ",")
        try expectError(lines.joined(separator: "\n"), mentions: "index 3 is")
    }

    @Test func conflictingValueFromSecondSource() throws {
        var lines = Fixtures.mergedCSV(rows: 0..<2).split(separator: "\n").map(String.init)
        var f = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        f[3] = "12.5"
        lines[1] = f.joined(separator: ",")
        try expectError(lines.joined(separator: "\n"), mentions: "differs from the stored")
    }

    @Test func notADatabase() throws {
        let dir = SharedData.temporaryDirectory()
        let path = dir.appendingPathComponent("notes.sqlite").path
        let junk = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) })
        try junk.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.notADatabase(path: path)) { try BenchmarkStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == junk)
    }

    @Test func newerSchemaVersion() throws {
        let (store, dir) = try Fixtures.store()
        let path = store.db.path
        try store.db.execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.newerSchema(path: path, found: 99, supported: Schema.currentVersion)) {
            try BenchmarkStore(path: path)
        }
        _ = dir
    }

    @Test func missingFile() throws {
        let (store, dir) = try Fixtures.store()
        let path = dir.appendingPathComponent("absent.csv").path
        #expect(throws: StoreError.fileUnreadable(path)) { try store.importTable(path: path) }
    }

    /// Accuracies are percentages: -5 or 250 is a corrupt or wrongly scaled table, refused naming the column.
    @Test(arguments: ["-5", "250"]) func accuracyOutsidePercent(_ value: String) throws {
        var lines = Fixtures.mergedCSV(rows: 100..<103).split(separator: "\n").map(String.init)
        var fields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[3] = value
        lines[2] = fields.joined(separator: ",")
        try expectError(lines.joined(separator: "\n"), mentions: "accuracy \(value) is outside 0...100")
    }

    /// A split stored for another dataset only is named as missing for this one, with where it is stored.
    @Test func splitTheDatasetLacks() throws {
        let (store, _, _) = try seeded()
        #expect(throws: StoreError.splitNotStored("x-valid", dataset: "cifar10", hp: 200, valid: ["ori-test"], storedFor: ["cifar10-valid"])) {
            try store.query(arch: 3, dataset: "cifar10", hp: 200, split: "x-valid", seed: .all)
        }
        #expect(throws: StoreError.self) { try store.scores(dataset: "cifar10", split: "x-valid", hp: 200, seed: .mean) }
    }

    @Test func sampleOfMoreClassesThanStored() throws {
        let (store, _, _) = try seeded()
        let classes = try store.classRepresentatives().count
        #expect(throws: StoreError.invalidValue("sample:99999 asks for more isomorphism classes than the database holds (\(classes)); use sample:N with N <= \(classes), or non-isomorphic for all of them")) {
            try ArchitectureSelection("sample:99999").resolve(in: store, seed: 0)
        }
        #expect(try ArchitectureSelection("sample:\(classes)").resolve(in: store, seed: 0).count == classes)
    }

    @Test(arguments: ["", "  ", "-- only a comment"]) func sqlWithoutAStatement(_ sql: String) throws {
        let (store, _, _) = try seeded()
        do {
            _ = try store.readOnlyQuery(sql)
            Issue.record("'\(sql)' ran")
        } catch let e as StoreError {
            // The user's statement: a value to correct (exit 2), not a database failure.
            guard case .invalidValue = e else { Issue.record("\(e)"); return }
            #expect(e.description.contains("no SQL statement"), "\(e.description)")
        }
    }

    /// A run that holds nothing is removed (a command failed before its first result); one with results is kept.
    @Test func onlyEmptyRunsAreRemoved() throws {
        let (store, _, _) = try seeded()
        let empty = try store.createRun(kind: .proxies, name: "empty", dataset: "cifar10", seed: 0, protocolJSON: "{}", codeVersion: "test")
        let used = try store.createRun(kind: .proxies, name: "used", dataset: "cifar10", seed: 0, protocolJSON: "{}", codeVersion: "test")
        try store.addEstimates(run: used.id, [Estimate(arch: 1, estimator: "synflow", score: 1)])
        #expect(try store.removeRunIfEmpty(id: empty.id) && !store.removeRunIfEmpty(id: used.id))
        #expect(try store.runs().map(\.name) == ["used"])
    }
}
