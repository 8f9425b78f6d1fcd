import Support
import Datasets
import Engine
import SearchSpace
@testable import Supernet

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Small shapes and generated data shared by the supernet tests.
enum Tiny {
    static let shape = NetworkShape(channels: 4, cellsPerStage: 1, classes: 5, resolution: 8)
    /// A path with every op kind: conv3x3, conv1x1, skip, avgpool, conv3x3, none.
    static let path = try! Cell(opCodes: "321430")

    static func batch(_ n: Int, seed: UInt64, shape: NetworkShape = shape) -> (images: [Float], labels: [Int32]) {
        var rng = SeededRandom(seed: seed)
        let images = (0..<(n * 3 * shape.resolution * shape.resolution)).map { _ in rng.nextGaussian() }
        let labels = (0..<n).map { _ in Int32(rng.nextInt(below: shape.classes)) }
        return (images, labels)
    }

    /// Mean cross-entropy of logits, in Double (the finite-difference reference).
    static func crossEntropy(_ z: Tensor, _ labels: [Int32], classes: Int) -> Double {
        var total = 0.0
        for n in 0..<labels.count {
            let row = (0..<classes).map { Double(z[n * classes + $0]) }
            let m = row.max()!
            total += m + log(row.map { exp($0 - m) }.reduce(0, +)) - row[Int(labels[n])]
        }
        return total / Double(labels.count)
    }

    /// Items 2..K made different from item 1 (by seeded noise), so merges are non-trivial.
    static func diversify(_ net: KShotSupernet, seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        for item in net.dictionary.items.dropFirst() {
            for p in item { for i in 0..<p.count { p.value[i] += 0.1 * rng.nextGaussian() } }
        }
    }

    /// A random labelled image set (CIFAR-shaped planes of random bytes) of `count` images at `resolution`.
    static func imageSet(count: Int, classes: Int, resolution: Int, seed: UInt64) -> ImageSet {
        var rng = SeededRandom(seed: seed)
        let shape = ImageShape(channels: 3, height: resolution, width: resolution)
        let labels = (0..<count).map { _ in Int32(rng.nextInt(below: classes)) }
        // Class-dependent brightness, so the data is learnable.
        var pixels = [UInt8](repeating: 0, count: count * shape.elementCount)
        for n in 0..<count {
            for j in 0..<shape.elementCount {
                let v = Float(labels[n]) * 40 + 30 * rng.nextGaussian() + 40
                pixels[n * shape.elementCount + j] = UInt8(max(0, min(255, v)))
            }
        }
        return ImageSet(shape: shape, classCount: classes, pixels: pixels, labels: labels)
    }
}
