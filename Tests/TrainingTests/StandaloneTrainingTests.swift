import Datasets
import Engine
import Foundation
import SearchSpace
import Testing
import TestSupport
@testable import Training

@Suite struct StandaloneTrainingTests {
    @Test func tinyNetworkLearns() throws {
        let data = try BenchmarkData(dataset: .cifar10, train: SyntheticImages.learnable(count: 320, seed: 1), test: SyntheticImages.learnable(count: 200, seed: 2),
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
