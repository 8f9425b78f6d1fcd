import Datasets
import Engine
import Foundation
import SearchSpace
import Support
import Testing
import TestSupport
@testable import Training

@Suite struct StandaloneTrainingTests {
    /// Learnable generated CIFAR-10-shaped images and a C=4, N=1, batch-32 configuration for `arch`.
    private func tiny(_ arch: String, epochs: Int, train: Int, test: Int) throws -> (BenchmarkData, StandaloneConfig) {
        let data = try BenchmarkData(dataset: .cifar10, train: SyntheticImages.learnable(count: train, seed: 1),
                                     test: SyntheticImages.learnable(count: test, seed: 2), splitsDirectory: "/nonexistent")
        var config = StandaloneConfig(arch: arch, dataset: "cifar10", epochs: epochs)
        config.channels = 4
        config.cellsPerStage = 1
        config.batchSize = 32
        return (data, config)
    }

    @Test func tinyNetworkLearns() throws {
        var (data, config) = try tiny("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
                                      epochs: 4, train: 320, test: 200)
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
        // Same seed, same run, also on another number of workers (other suites may change it meanwhile: harmless).
        let workers = EngineConfig.workers
        EngineConfig.threading = .batchSplit(workers: workers == 1 ? 2 : 1)
        defer { EngineConfig.threading = .batchSplit(workers: workers) }
        let again = try StandaloneTraining(config: config, data: data).run(quiet: true)
        #expect(again.epochs.map(\.trainLoss) == result.epochs.map(\.trainLoss))
        #expect(again.scores == result.scores)
    }

    /// A run stopped after an epoch resumes from its checkpoint and ends exactly where an uninterrupted run ends;
    /// a checkpoint of another configuration is refused, naming the difference.
    @Test func resumesFromItsCheckpoint() throws {
        let (data, config) = try tiny("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|",
                                      epochs: 3, train: 96, test: 64)
        let dir = SharedData.temporaryDirectory()
        let whole = try StandaloneTraining(config: config, data: data).run(checkpoint: dir.appendingPathComponent("a.ckpt").path, quiet: true)

        struct Stop: Error {}
        let path = dir.appendingPathComponent("b.ckpt").path
        #expect(throws: Stop.self) {
            _ = try StandaloneTraining(config: config, data: data).run(checkpoint: path, quiet: true, onEpoch: { e in if e.epoch == 1 { throw Stop() } })
        }
        let resumed = try StandaloneTraining(config: config, data: data).run(checkpoint: path, quiet: true)
        #expect(resumed.epochs.map(\.epoch) == [2])
        #expect(resumed.epochs.map(\.trainLoss) == [whole.epochs[2].trainLoss])
        #expect(resumed.scores == whole.scores)

        // Stopped mid-epoch (after 4 of the 3 x 3 batches), the position is checkpointed to the batch: the resumed run
        // ends bit-identically, and every image is reported once (the part-done epoch as incomplete).
        let stopPath = dir.appendingPathComponent("c.ckpt").path
        var asked = 0, reported: [StandaloneEpoch] = []
        #expect(throws: WorkStopped.self) {
            _ = try StandaloneTraining(config: config, data: data).run(checkpoint: stopPath, quiet: true,
                                                                       shouldStop: { asked += 1; return asked > 4 }, onEpoch: { reported.append($0) })
        }
        #expect(reported.map(\.complete) == [true, false] && reported.map(\.images) == [96, 32])
        let afterStop = try StandaloneTraining(config: config, data: data).run(checkpoint: stopPath, quiet: true, onEpoch: { reported.append($0) })
        #expect(afterStop.epochs.map(\.epoch) == [1, 2] && afterStop.epochs[1].trainLoss == whole.epochs[2].trainLoss)
        #expect(afterStop.scores == whole.scores)
        #expect(reported.map(\.images).reduce(0, +) == 3 * 96)

        var other = config
        other.learningRate = 0.05
        #expect(throws: CheckpointError.self) { try StandaloneTraining(config: other, data: data).run(checkpoint: path, quiet: true) }
    }
}
