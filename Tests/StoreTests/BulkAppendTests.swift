import Foundation
import Testing
import TestSupport
@testable import Store

/// `appendingInBulk` (how imports write): a rollback journal while it runs, the WAL again afterwards, whether the body
/// returns or throws; where another connection reads the file the mode cannot change and the import runs on the WAL.
@Suite struct BulkAppendTests {
    private func journalMode(_ store: BenchmarkStore) throws -> String? {
        try store.db.scalar("PRAGMA journal_mode")?.string
    }

    private func architectures(_ store: BenchmarkStore) throws -> Int? {
        try store.db.scalar("SELECT count(*) FROM architectures")?.int
    }

    @Test func writesThroughARollbackJournalAndReturnsToTheWAL() throws {
        let dir = SharedData.temporaryDirectory()
        let store = try BenchmarkStore(path: dir.appendingPathComponent("bulk.sqlite").path)
        #expect(try journalMode(store) == "wal")
        #expect(try store.db.scalar("PRAGMA page_size")?.int == 16384) // a new file's pages (BenchmarkStore.init)
        try store.appendingInBulk {
            #expect(try journalMode(store) == "truncate")
            _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<20), name: "a.csv", in: dir), allowPartial: true)
        }
        #expect(try journalMode(store) == "wal")
        #expect(try architectures(store) == 20)
        let journal = store.db.path + "-journal" // truncated after each commit, never left holding pages
        let journalBytes = FileManager.default.fileExists(atPath: journal)
            ? try FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int : 0
        #expect(journalBytes == 0)

        // A failure after a committed transaction keeps that transaction and still restores the WAL.
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try store.appendingInBulk {
                _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 20..<30), name: "b.csv", in: dir), allowPartial: true)
                throw Stop()
            }
        }
        #expect(try journalMode(store) == "wal")
        #expect(try architectures(store) == 30)
    }

    @Test func keepsTheWALWhileAnotherConnectionReads() throws {
        let dir = SharedData.temporaryDirectory()
        let path = dir.appendingPathComponent("shared.sqlite").path
        let store = try BenchmarkStore(path: path)
        let reader = try Database(path: path, mode: .readOnly)
        try reader.execute("BEGIN")
        #expect(try reader.scalar("SELECT count(*) FROM architectures")?.int == 0)
        try store.appendingInBulk {
            #expect(try journalMode(store) == "wal")
            _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<20), name: "a.csv", in: dir), allowPartial: true)
        }
        #expect(try reader.scalar("SELECT count(*) FROM architectures")?.int == 0) // its snapshot, as the WAL promises
        try reader.execute("COMMIT")
        #expect(try reader.scalar("SELECT count(*) FROM architectures")?.int == 20)
        #expect(try journalMode(store) == "wal")
    }
}
