import Foundation
import SearchSpace
import Support

/// A merged-layout ground-truth table of generated architectures whose accuracy columns follow parameter count with
/// seeded noise (so supernets, proxies and baselines have something to rank against); import it with allowPartial.
public enum GeneratedGroundTruth {
    public static let header = "index,arch_str,op_codes,cifar10_test_hp200_avg,cifar100_xtest_hp200_avg,imagenet16_120_xtest_hp200_avg,cifar10valid_xvalid_hp200_avg,cifar10valid_oritest_hp200_avg,cifar10valid_train_hp200_avg,cifar10_test_hp12_1seed,cifar100_xtest_hp12_1seed,imagenet16_120_xtest_hp12_1seed,unique_str"

    /// Writes `count` architectures (index i is the cell with ordinal (i * 7919) mod 15,625) to `path`; returns `path`.
    @discardableResult
    public static func write(count: Int = 300, to path: String) throws -> String {
        var random = SeededRandom(seed: 9)
        let lines = try (0..<count).map { i -> String in
            let cell = try Cell(ordinal: (i * 7919) % Cell.spaceSize)
            let base = 60 + 30 * Double(Cost(cell: cell, shape: .benchmark(classes: 10, resolution: 32)).parameters) / 1.5e6
            let values = (0..<5).map { _ in String(format: "%.3f", base + 3 * Double(random.nextGaussian())) }
            return ([String(i), cell.archString, cell.opCodes] + values + Array(repeating: "", count: 4) + [cell.canonicalForm])
                .joined(separator: ",")
        }
        try ([header] + lines).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
