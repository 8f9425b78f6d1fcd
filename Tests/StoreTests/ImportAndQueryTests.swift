import Foundation
import Testing
import SearchSpace
import TestSupport
@testable import Store

@Suite struct ImportAndQueryTests {
    @Test func importsGeneratedTableAndAnswersQueries() throws {
        let (store, dir) = try Fixtures.store()
        let path = Fixtures.write(Fixtures.mergedCSV(), name: "merged.csv", in: dir)
        let summary = try store.importTable(path: path)
        #expect(summary.architectures == 15_625 && summary.trials == 15_625 * 7 && summary.results == 15_625 * 9)
        #expect(try Fixtures.tableCounts(store) == [1, 15_625, 109_375, 140_625, 62_500])

        let index = 4242
        let cell = Fixtures.cell(at: index)
        for text in [String(index), cell.archString, cell.opCodes] {
            #expect(try store.resolveArchitecture(text) == index)
        }
        let answer = try store.query(arch: index, dataset: "cifar100", hp: 200, split: "x-test", seed: .mean)
        #expect(answer.accuracy == Fixtures.value(index: index, column: 1))
        #expect(answer.basis.contains("published"))
        let short = try store.query(arch: index, dataset: "cifar10", hp: 12, split: "ori-test", seed: nil)
        #expect(short.accuracy == Fixtures.value(index: index, column: 6) && short.seedPolicy == "unknown")

        // Re-importing the same file is a no-op.
        #expect(try store.importTable(path: path).alreadyImported)
        #expect(try Fixtures.tableCounts(store) == [1, 15_625, 109_375, 140_625, 62_500])
    }

    @Test func topRanksAndFilters() throws {
        let (store, dir) = try Fixtures.store()
        _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<2000), name: "m.csv", in: dir), allowPartial: true)
        let table = try store.scores(dataset: "cifar10-valid", split: "x-valid", hp: 200, seed: .mean, limit: 5)
        let byValue: [(index: Int, value: Double)] = (0..<2000).map { ($0, Fixtures.value(index: $0, column: 3)) }
        let sorted = byValue.sorted { a, b in a.value != b.value ? a.value > b.value : a.index < b.index }
        let expected = sorted.prefix(5).map(\.index)
        #expect(table.rows.map(\.index) == expected)

        let filtered = try store.scores(dataset: "cifar10", split: "ori-test", hp: 200, seed: .mean,
                                        filter: ArchitectureFilter(maxParamsM: 0.5, allowedOps: [.skipConnect, .conv1x1, .conv3x3]))
        #expect(!filtered.rows.isEmpty)
        for row in filtered.rows {
            let cell = try Cell(archString: row.arch)
            #expect(!cell.ops.contains(.none) && !cell.ops.contains(.avgPool3x3))
            #expect(Cost(cell: cell, shape: .benchmark(classes: 10, resolution: 32)).parameters <= 500_000)
        }
    }

    @Test func missingChoicesAreNamedNotGuessed() throws {
        let (store, dir) = try Fixtures.store()
        _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<2000), name: "m.csv", in: dir), allowPartial: true)
        #expect(throws: StoreError.ambiguous(choice: "dataset", valid: ["ImageNet16-120", "cifar10", "cifar10-valid", "cifar100"])) {
            try store.query(arch: 1, dataset: nil, hp: 200, split: nil, seed: .mean)
        }
        #expect(throws: StoreError.ambiguous(choice: "split", valid: ["ori-test", "train", "x-valid"])) {
            try store.query(arch: 1, dataset: "cifar10-valid", hp: 200, split: nil, seed: .mean)
        }
        #expect(throws: StoreError.unknownDataset("cifar11", valid: ["ImageNet16-120", "cifar10", "cifar10-valid", "cifar100"])) {
            try store.query(arch: 1, dataset: "cifar11", hp: 200, split: "x-test", seed: .mean)
        }
        #expect(throws: StoreError.unknownSplit("valid", valid: ["ori-test", "train", "x-test", "x-valid"])) {
            try store.query(arch: 1, dataset: "cifar100", hp: 200, split: "valid", seed: .mean)
        }
        #expect(throws: StoreError.unknownHP(90, valid: [12, 200])) {
            try store.query(arch: 1, dataset: "cifar100", hp: 90, split: "x-test", seed: .mean)
        }
        #expect(throws: StoreError.self) { try store.query(arch: 1, dataset: "cifar100", hp: 200, split: "x-test", seed: .seed(777)) }
        // The one documented default, hp 200, is announced.
        let a = try store.query(arch: 1, dataset: "cifar100", hp: nil, split: "x-test", seed: .mean)
        #expect(a.hp == 200 && a.notes.count == 1)
    }

    @Test func badArchitecturesAreRefused() throws {
        let (store, dir) = try Fixtures.store()
        #expect(throws: StoreError.emptyBenchmark) { try store.resolveArchitecture("1") }
        _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<2000), name: "m.csv", in: dir), allowPartial: true)
        #expect(throws: StoreError.indexOutOfRange(15_625)) { try store.resolveArchitecture("15625") }
        #expect(throws: StoreError.noData("index 2000 is not in this database")) { try store.resolveArchitecture("2000") }
        #expect(throws: StoreError.indexOutOfRange(-1)) { try store.resolveArchitecture("-1") }
        for bad in ["|nor_conv_3x3~0|+|conv~0|none~1|+|none~0|none~1|none~2|", "|nor_conv_3x3~0|", "3331325", "33313x", "best"] {
            #expect(throws: StoreError.self) { try store.resolveArchitecture(bad) }
        }
    }

    @Test func readOnlySQLRefusesWrites() throws {
        let (store, dir) = try Fixtures.store()
        _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<2000), name: "m.csv", in: dir), allowPartial: true)
        #expect(try store.readOnlyQuery("SELECT count(*) AS n FROM architectures").rows[0][0] == .integer(2000))
        #expect(throws: StoreError.self) { try store.readOnlyQuery("DELETE FROM trials") }
        #expect(throws: StoreError.self) { try store.readOnlyQuery("DROP TABLE trials") }
        #expect(try Fixtures.tableCounts(store)[2] == 2000 * 7)
    }
}
