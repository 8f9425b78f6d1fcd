import Datasets
import Engine
import Foundation
import SearchSpace
import Testing
import TestSupport
@testable import Supernet

/// Tiny training runs on generated data: K = 1 against the merge code path, K > 1 divergence, warm-up
/// equivalence, checkpoint resume and checkpoint errors.
@Suite struct TrainingTests {
    static let data = Subset(Tiny.imageSet(count: 160, classes: 5, resolution: 8, seed: 21))
    static let validation = Subset(Tiny.imageSet(count: 64, classes: 5, resolution: 8, seed: 22))

    static func config(k: Int, epochs: Int = 3, learningRate: Float = 0.05) -> SupernetConfig {
        SupernetConfig(shape: Tiny.shape, k: k, epochs: epochs, warmupEpochs: 1, batchSize: 32, learningRate: learningRate,
                       simplexLearningRate: 0.01, trainSubsetSize: 128, seed: 7)
    }

    static func trainer(_ config: SupernetConfig, separateWorking: Bool = false) throws -> SupernetTrainer {
        try SupernetTrainer(config: config, training: data, dataset: .cifar10, separateWorking: separateWorking)
    }

    static func evaluator(_ t: SupernetTrainer) -> PathEvaluator {
        PathEvaluator(trainer: t, calibration: data, validation: validation, dataset: .cifar10, calibrationBatches: 2,
                      calibrationBatchSize: 16, validationImages: 48, validationBatchSize: 16, seed: 3)
    }

    static func state(_ t: SupernetTrainer) -> [[Float]] { t.stateTensors.map(\.array) }

    static let probes = ["321430", "000000", "111111", "333333", "241302"].map { try! Cell(opCodes: $0) }

    @Test func oneShotEqualsMergeCodeAtKOne() throws {
        let plain = try Self.trainer(Self.config(k: 1)), merged = try Self.trainer(Self.config(k: 1), separateWorking: true)
        #expect(!plain.supernet.dictionary.merges && merged.supernet.dictionary.merges)
        try plain.train()
        try merged.train()
        #expect(Self.state(plain) == Self.state(merged), "K = 1 weights differ between the one-shot and the merge code path")
        let a = Self.evaluator(plain), b = Self.evaluator(merged)
        for cell in Self.probes { #expect(a.evaluate(cell) == b.evaluate(cell)) }
    }

    /// K > 1 warm-up is exactly the K = 1 run: theta^1 after the warm-up epoch equals the one-shot weights.
    @Test func warmupEqualsOneShot() throws {
        let one = try Self.trainer(Self.config(k: 1)), three = try Self.trainer(Self.config(k: 3))
        one.trainEpoch()
        three.trainEpoch()
        let items = three.supernet.dictionary.items
        #expect(items[0].map(\.value.array) == one.supernet.dictionary.items[0].map(\.value.array))
        // The copy into the K items happened at the end of warm-up.
        #expect(items[2].map(\.value.array) == items[0].map(\.value.array))
    }

    @Test func kShotCodesAndItemsDiverge() throws {
        let t = try Self.trainer(Self.config(k: 3, epochs: 4))
        var logs: [EpochLog] = []
        try t.train(progress: { logs.append($0) })
        #expect(logs.count == 4 && logs[0].simplexLoss == nil && logs[3].simplexLoss != nil)
        let codes = Self.probes.map { t.code($0) }
        var spread: Float = 0
        for a in codes { for b in codes { for j in 0..<3 { spread = max(spread, abs(a[j] - b[j])) } } }
        let items = t.supernet.dictionary.items
        var itemGap: Float = 0
        for i in items[0].indices { for c in 0..<items[0][i].count { itemGap = max(itemGap, abs(items[0][i].value[c] - items[1][i].value[c])) } }
        print("K=3 tiny run: largest lambda difference between probe paths \(spread), largest theta^1 - theta^2 gap \(itemGap), codes \(codes)")
        #expect(spread > 1e-4, "simplex codes did not diverge between paths: \(codes)")
        #expect(itemGap > 1e-4, "the K items stayed equal")
        let estimate = Self.evaluator(t).evaluate(Self.probes[0])
        #expect(estimate.lambda == codes[0] && estimate.loss.isFinite && (0...100).contains(estimate.accuracy))
    }

    @Test func resumeGivesIdenticalWeights() throws {
        let directory = SharedData.temporaryDirectory()
        let config = Self.config(k: 2)
        let whole = try Self.trainer(config)
        try whole.train()
        let path = directory.appendingPathComponent("run.ckpt").path
        let first = try Self.trainer(config)
        try first.train(checkpoint: path, stopAfter: 1)
        #expect(try SupernetConfig.stored(in: path) == config)
        let resumed = try SupernetTrainer.resuming(from: path, config: config, training: Self.data, dataset: .cifar10)
        #expect(resumed.epoch == 1)
        try resumed.train(checkpoint: path)
        #expect(resumed.isFinished && Self.state(resumed) == Self.state(whole), "resumed weights differ from an uninterrupted run")
    }

    /// An interruption inside an epoch (Ctrl-C asks `shouldStop`) checkpoints the exact batch position; resuming
    /// gives the same weights as a run that never stopped, across the warm-up boundary too.
    @Test func interruptedMidEpochResumesIdentically() throws {
        let directory = SharedData.temporaryDirectory()
        let config = Self.config(k: 2)
        let whole = try Self.trainer(config)
        try whole.train()
        let path = directory.appendingPathComponent("run.ckpt").path
        var resumed = try Self.trainer(config)
        var asked = 0
        for stopAt in [2, 3, 2] { // batches into the run: mid epoch 0, then mid epoch 1 and mid epoch 2 (4 per epoch)
            asked = 0
            try resumed.train(checkpoint: path, shouldStop: { asked += 1; return asked > stopAt })
            #expect(!resumed.isFinished && resumed.batchInEpoch > 0)
            let position = (resumed.epoch, resumed.batchInEpoch)
            resumed = try SupernetTrainer.resuming(from: path, config: config, training: Self.data, dataset: .cifar10)
            #expect(resumed.epoch == position.0 && resumed.batchInEpoch == position.1)
        }
        try resumed.train(checkpoint: path)
        #expect(resumed.isFinished && Self.state(resumed) == Self.state(whole), "weights after mid-epoch interruptions differ")
    }

    @Test func badCheckpointsAreTypedErrors() throws {
        let directory = SharedData.temporaryDirectory()
        let path = directory.appendingPathComponent("run.ckpt").path
        let t = try Self.trainer(Self.config(k: 2, epochs: 1))
        try t.writeCheckpoint(to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        let other = try Self.trainer(Self.config(k: 2, epochs: 1, learningRate: 0.1))
        let before = Self.state(other)
        #expect { try other.loadCheckpoint(from: path) } throws: { error in
            guard case .checkpoint(.configurationMismatch(_, let diffs)) = error as? SupernetError else { return false }
            return diffs.count == 1 && diffs[0].hasPrefix("learningRate")
        }
        #expect(Self.state(other) == before, "a refused checkpoint changed the trainer")

        var flipped = good
        flipped[flipped.count / 2] ^= 0x40
        try flipped.write(to: URL(fileURLWithPath: path))
        #expect(throws: SupernetError.self) { try t.loadCheckpoint(from: path) }
        #expect { try t.loadCheckpoint(from: path) } throws: { error in
            if case .checkpoint(.corrupt) = error as? SupernetError { return true } else { return false }
        }
        try good.prefix(good.count - 100).write(to: URL(fileURLWithPath: path))
        #expect { try t.loadCheckpoint(from: path) } throws: { error in
            if case .checkpoint(.corrupt) = error as? SupernetError { return true } else { return false }
        }
        #expect { try t.loadCheckpoint(from: directory.appendingPathComponent("absent").path) } throws: { error in
            if case .checkpoint(.unreadable) = error as? SupernetError { return true } else { return false }
        }
        try good.write(to: URL(fileURLWithPath: path))
        try t.loadCheckpoint(from: path)
    }

    @Test func invalidConfigurations() {
        var c = Self.config(k: 2)
        c.warmupEpochs = 5
        #expect(throws: SupernetError.self) { try c.validate() }
        c = Self.config(k: 2)
        c.batchSize = 8
        #expect(throws: SupernetError.self) { try c.validate() }
        #expect(throws: Never.self) { try SupernetConfig.tiny(k: 4, seed: 1).validate() }
    }
}

/// The CI preset trains and evaluates end to end on CIFAR-shaped generated data.
@Suite struct PresetTests {
    @Test func tinyPresetRuns() throws {
        let data = Subset(Tiny.imageSet(count: 160, classes: 10, resolution: 32, seed: 31))
        let config = SupernetConfig.tiny(k: 2, seed: 5)
        let trainer = try SupernetTrainer(config: config, training: data, dataset: .cifar10)
        var logs: [EpochLog] = []
        try trainer.train(progress: { logs.append($0) })
        #expect(trainer.isFinished && logs.count == config.epochs && logs.allSatisfy { $0.loss.isFinite && $0.images == 128 })
        let evaluator = PathEvaluator(trainer: trainer, calibration: data, validation: data, dataset: .cifar10,
                                      calibrationBatches: 2, calibrationBatchSize: 32, validationImages: 64, seed: 1)
        let estimate = evaluator.evaluate(Tiny.path)
        #expect(estimate.loss.isFinite && estimate.lambda.count == 2 && abs(estimate.lambda.reduce(0, +) - 1) < 1e-5)
    }
}
