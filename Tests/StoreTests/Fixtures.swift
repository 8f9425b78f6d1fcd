import Foundation
import SearchSpace
import TestSupport
@testable import Store

/// Small self-made fixtures: merged-layout tables whose values are a known function of the cell.
enum Fixtures {
    static let mergedHeader = "index,arch_str,op_codes,cifar10_test_hp200_avg,cifar100_xtest_hp200_avg,imagenet16_120_xtest_hp200_avg,cifar10valid_xvalid_hp200_avg,cifar10valid_oritest_hp200_avg,cifar10valid_train_hp200_avg,cifar10_test_hp12_1seed,cifar100_xtest_hp12_1seed,imagenet16_120_xtest_hp12_1seed,unique_str"

    /// Index i holds the cell with ordinal (i * 7919) % 15625 (a fixed shuffle); accuracy = f(index, column).
    static func cell(at index: Int) -> Cell { try! Cell(ordinal: (index * 7919) % Cell.spaceSize) }

    /// Percentages in 0.0625...99.9625 (accuracies outside 0...100 are refused).
    static func value(index: Int, column: Int) -> Double { Double((index * 31 + column * 17) % 1000) / 10 + 0.0625 }

    static func mergedCSV(rows: Range<Int> = 0..<Cell.spaceSize) -> String {
        var lines = [mergedHeader]
        for i in rows {
            let c = cell(at: i)
            let values = (0..<9).map { String(value(index: i, column: $0)) }
            lines.append(([String(i), c.archString, c.opCodes] + values + [c.canonicalForm]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func write(_ text: String, name: String, in dir: URL) -> String {
        let path = dir.appendingPathComponent(name).path
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A store in a fresh temporary directory.
    static func store() throws -> (BenchmarkStore, URL) {
        let dir = SharedData.temporaryDirectory()
        return (try BenchmarkStore(path: dir.appendingPathComponent("nb201.sqlite").path), dir)
    }

    static func tableCounts(_ store: BenchmarkStore) throws -> [Int] {
        try ["sources", "architectures", "trials", "results", "costs"].map {
            try store.db.scalar("SELECT count(*) FROM \($0)")!.int!
        }
    }
}
