import Foundation
import Support
import TestSupport
@testable import Datasets

/// Files the tests generate, and where the real data lives.
enum Fixtures {
    /// A fresh, empty directory for one test's files.
    static func temporaryDirectory() -> String { SharedData.temporaryDirectory().path }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A deterministic image of `shape` for image number `seed`.
    static func pixels(_ shape: ImageShape, seed: Int) -> [UInt8] {
        var random = SeededRandom(seed: UInt64(seed))
        return (0..<shape.elementCount).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    /// CIFAR binary records: for each image its label bytes, then its CIFAR-shaped pixels.
    static func cifarRecords(_ labelBytes: [[UInt8]], firstImage: Int = 0) -> [UInt8] {
        var bytes = [UInt8]()
        for (k, labels) in labelBytes.enumerated() {
            bytes += labels
            bytes += pixels(.cifar, seed: firstImage + k)
        }
        return bytes
    }

    /// A set of `count` images whose label is their index (so a batch tells which images it holds).
    static func indexedSet(count: Int, shape: ImageShape = ImageShape(channels: 3, height: 8, width: 8)) -> ImageSet {
        ImageSet(shape: shape, classCount: count, pixels: (0..<count).flatMap { pixels(shape, seed: $0) },
                 labels: (0..<count).map(Int32.init))
    }

    static let splitsDirectory = SharedData.root.appendingPathComponent("splits").path
    static var splitsPresent: Bool { FileManager.default.fileExists(atPath: splitsDirectory + "/cifar-split.txt") }

    /// The real CIFAR-10 (binary layout): `$NB201_CIFAR10_DIR` if set, else
    /// `/tmp/nb201-cifar10/cifar-10-batches-bin`, the folder `../shared/tools/prepare-cifar10` is pointed at.
    static let cifar10Directory: String =
        ProcessInfo.processInfo.environment["NB201_CIFAR10_DIR"] ?? "/tmp/nb201-cifar10/cifar-10-batches-bin"
    static var cifar10Present: Bool { FileManager.default.fileExists(atPath: cifar10Directory + "/test_batch.bin") }
}
