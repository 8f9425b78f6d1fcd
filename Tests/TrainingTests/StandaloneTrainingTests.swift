import Datasets
import Engine
import Foundation
import SearchSpace
import Testing
@testable import Training

/// A learnable 32x32 set: class c brightens one of 10 channel/row bands, plus seeded noise.
private func syntheticSet(count: Int, seed: UInt64) -> ImageSet {
    var rng = SeededRandom(seed: seed)
    var pixels = [UInt8](repeating: 0, count: count * 3 * 32 * 32)
    var labels = [Int32](repeating: 0, count: count)
    for i in 0..<count {
        let c = rng.nextInt(below: 10)
        labels[i] = Int32(c)
        for ch in 0..<3 {
            for y in 0..<32 {
                for x in 0..<32 {
                    let band = (c % 3 == ch) && (y / 8 == c / 3 || c == 9)
                    let noise = Int(rng.nextFloat() * 60)
                    pixels[((i * 3 + ch) * 32 + y) * 32 + x] = UInt8(min(255, (band ? 170 : 40) + noise))
                }
            }
        }
    }
    return ImageSet(shape: .cifar, classCount: 10, pixels: pixels, labels: labels)
}

@Suite struct StandaloneTrainingTests {
    @Test func tinyNetworkLearns() throws {
        let data = try BenchmarkData(dataset: .cifar10, train: syntheticSet(count: 320, seed: 1), test: syntheticSet(count: 200, seed: 2),
                                     splitsDirectory: "/nonexistent")
        var config = StandaloneConfig(arch: "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
                                      dataset: "cifar10", epochs: 4)
        config.channels = 4
        config.cellsPerStage = 1
        config.batchSize = 32
        config.learningRate = 0.05
        config.seed = 7
        let result = try StandaloneTraining(config: config, data: data).run(quiet: true)
        #expect(result.epochs.count == 4)
        #expect(result.epochs.last!.trainLoss < result.epochs.first!.trainLoss * 0.8,
                "loss \(result.epochs.map(\.trainLoss)) should fall")
        #expect(result.scores.map(\.split) == ["ori-test"])
        #expect(result.scores[0].accuracy > 20, "accuracy \(result.scores[0].accuracy)% should beat chance (10%)")
        #expect(result.parameters == Cost(cell: try Cell(archString: config.arch),
                                          shape: NetworkShape(channels: 4, cellsPerStage: 1, classes: 10, resolution: 32)).parameters)
        // Same seed, same run.
        let again = try StandaloneTraining(config: config, data: data).run(quiet: true)
        #expect(again.epochs.map(\.trainLoss) == result.epochs.map(\.trainLoss))
    }
}
