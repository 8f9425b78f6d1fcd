import Datasets
import Engine
import Foundation
import SearchSpace
import Testing
import TestSupport
@testable import Supernet

/// The K-shot training options of issue 14 on tiny generated data: codes that collapse under the old protocol do not
/// with the new options; each option does what it says at the switch and in the steps; old protocols are unchanged.
@Suite struct KShotOptionsTests {
    static let data = TrainingTests.data

    /// 12 epochs (2 warm-up) of K = 2 with a fast simplex-net, where the old protocol collapses within a few epochs.
    static func config(seed: UInt64 = 1) -> SupernetConfig {
        SupernetConfig(shape: Tiny.shape, k: 2, epochs: 12, warmupEpochs: 2, batchSize: 32, learningRate: 0.1,
                       simplexLearningRate: 0.03, simplexPaths: 4, trainSubsetSize: 128, seed: seed)
    }

    /// Every new option on.
    static func withNewOptions(_ base: SupernetConfig) -> SupernetConfig {
        base.withKShotOptions(simplexImagesPerPath: 16)
    }

    static func codeLogs(_ config: SupernetConfig) throws -> [CodeSummary?] {
        let t = try SupernetTrainer(config: config, training: data, dataset: .cifar10)
        var codes: [CodeSummary?] = []
        try t.train(progress: { codes.append($0.codes) })
        return codes
    }

    @Test(arguments: [UInt64(1), 2])
    func codesCollapseUnderTheOldProtocolButNotTheNew(seed: UInt64) throws {
        let old = try Self.codeLogs(Self.config(seed: seed))
        let new = try Self.codeLogs(Self.withNewOptions(Self.config(seed: seed)))
        // The warm-up epoch before the switch has no codes; every epoch from the switch on summarises them.
        #expect(old[0] == nil && new[0] == nil && old.dropFirst().allSatisfy { $0 != nil } && new.dropFirst().allSatisfy { $0 != nil })
        let oldFinal = try #require(old.last!), newCodes = new.compactMap { $0 }
        print("seed \(seed): old final \(oldFinal); new final \(newCodes.last!)")
        #expect(oldFinal.meanLargestLambda > 0.99 && oldFinal.dominantItemShare == 1 && oldFinal.collapsed)
        #expect(oldFinal.meanSumOfSquares > 0.98 && oldFinal.spread < 0.01)
        #expect(newCodes.allSatisfy { !$0.collapsed && $0.meanLargestLambda < 0.7 }, "new options collapsed: \(newCodes)")
        #expect(newCodes.contains { $0.dominantItemShare < 0.9 }, "every epoch had one item dominant: \(newCodes)")
    }

    /// The new options leave the warm-up alone: theta^1, its momentum and the BatchNorm statistics after the warm-up
    /// equal the one-shot run's bit for bit (what lets K > 1 runs branch from the K = 1 warm-up).
    @Test func warmupIsTheOneShotWarmupUnderTheNewOptions() throws {
        var oneShot = Self.config()
        oneShot.k = 1
        let one = try SupernetTrainer(config: oneShot, training: Self.data, dataset: .cifar10)
        let two = try SupernetTrainer(config: Self.withNewOptions(Self.config()), training: Self.data, dataset: .cifar10)
        try one.train(stopAfter: 2)
        // Stop before the switch: the last warm-up batch is not yet followed by the copy into the items.
        var asked = 0
        try two.train(stopAfter: 2, shouldStop: { asked += 1; return asked == 8 })
        #expect(two.epoch == 1 && two.batchInEpoch == 3)
        _ = two.supernetStep(two.plan.batch(BatchPosition(epoch: 1, batch: 3)), iteration: 7)
        #expect(two.supernet.dictionary.items[0].map(\.value.array) == one.supernet.dictionary.items[0].map(\.value.array))
        #expect(two.optimizers.map { $0.momentumBuffers[0].array } == one.optimizers.map { $0.momentumBuffers[0].array })
        #expect(two.supernet.batchNormStatistics.map(\.mean.array) == one.supernet.batchNormStatistics.map(\.mean.array))
    }

    /// At the switch: perturbed items differ from each other and from the warm-up weights by about sigma relative;
    /// fresh momentum is zero; without the options the items are exact copies with copied momentum.
    @Test func switchPerturbsItemsAndRestartsMomentum() throws {
        func afterSwitch(_ configure: (inout SupernetConfig) -> Void) throws -> SupernetTrainer {
            var c = Self.config()
            configure(&c)
            let t = try SupernetTrainer(config: c, training: Self.data, dataset: .cifar10)
            try t.train(stopAfter: 2)
            return t
        }
        let plain = try afterSwitch { _ in }
        let items = plain.supernet.dictionary.items
        #expect(items[1].map(\.value.array) == items[0].map(\.value.array))
        #expect(plain.optimizers.allSatisfy { $0.momentumBuffers[1].array == $0.momentumBuffers[0].array })
        #expect(plain.optimizers.contains { $0.momentumBuffers[0].array.contains { $0 != 0 } })

        let options = try afterSwitch { $0.itemPerturbation = 0.05; $0.freshItemMomentum = true }
        let perturbed = options.supernet.dictionary.items
        var ratios: [Float] = []
        for i in items[0].indices {
            for c in 0..<items[0][i].count where abs(items[0][i].value[c]) > 1e-3 {
                ratios.append(perturbed[1][i].value[c] / items[0][i].value[c] - 1)
                #expect(perturbed[0][i].value[c] != perturbed[1][i].value[c])
            }
        }
        let sd = (ratios.reduce(0) { $0 + $1 * $1 } / Float(ratios.count)).squareRoot()
        #expect(abs(sd - 0.05) < 0.005, "relative perturbation sd \(sd)")
        #expect(options.optimizers.allSatisfy { $0.momentumBuffers.allSatisfy { $0.array.allSatisfy { $0 == 0 } } })
    }

    /// Simplex-net steps on their own batch: paths x imagesPerPath images, drawn by (seed, iteration) alone and
    /// not the supernet step's batch; a supernet batch smaller than the paths is then allowed.
    @Test func simplexStepsDrawTheirOwnBatch() throws {
        var c = Self.config()
        c.simplexImagesPerPath = 8
        c.simplexPaths = 8
        c.batchSize = 4
        let t = try SupernetTrainer(config: c, training: Self.data, dataset: .cifar10)
        let supernetBatch = t.plan.batch(BatchPosition(epoch: 2, batch: 1))
        let a = t.simplexBatch(9, supernetBatch: supernetBatch), b = t.simplexBatch(9, supernetBatch: supernetBatch)
        #expect(a.count == 64 && a.images == b.images && a.labels == b.labels)
        #expect(t.simplexBatch(10, supernetBatch: supernetBatch).images != a.images)
        c.simplexImagesPerPath = nil
        #expect(throws: SupernetError.self) { try c.validate() }
    }

    /// No simplex-net step during the delay after the warm-up: the codes stay the initial simplex-net's.
    @Test func simplexDelayHoldsTheInitialCodes() throws {
        var c = Self.config()
        c.epochs = 5
        c.simplexDelayEpochs = 2
        let t = try SupernetTrainer(config: c, training: Self.data, dataset: .cifar10)
        var logs: [EpochLog] = []
        try t.train(progress: { logs.append($0) })
        #expect(logs.map { $0.simplexLoss != nil } == [false, false, false, false, true])
        #expect(logs[2].codes == logs[3].codes && logs[3].codes != logs[4].codes)
    }

    /// Training with every new option resumes bit-identically from a checkpoint written mid-run.
    @Test func newOptionsResumeIdentically() throws {
        let directory = SharedData.temporaryDirectory()
        var config = Self.withNewOptions(Self.config())
        config.epochs = 4
        let whole = try SupernetTrainer(config: config, training: Self.data, dataset: .cifar10)
        try whole.train()
        let path = directory.appendingPathComponent("run.ckpt").path
        var asked = 0
        let first = try SupernetTrainer(config: config, training: Self.data, dataset: .cifar10)
        try first.train(checkpoint: path, shouldStop: { asked += 1; return asked > 10 })
        let resumed = try SupernetTrainer.resuming(from: path, config: config, training: Self.data, dataset: .cifar10)
        #expect(resumed.epoch == 2 && resumed.batchInEpoch == 2)
        try resumed.train()
        #expect(TrainingTests.state(resumed) == TrainingTests.state(whole))
    }

    /// K > 1 and few-shot runs started from the one-shot run's checkpoint at the end of its warm-up end bit-identical to
    /// runs that trained their own warm-up; a one-shot run of another warm-up protocol, or a checkpoint that is not at
    /// the end of the warm-up, is refused and changes nothing.
    @Test func branchingFromTheOneShotWarmupEqualsTrainingIt() throws {
        let directory = SharedData.temporaryDirectory()
        var base = Self.config()
        base.epochs = 4
        var oneShot = base
        oneShot.k = 1
        let warmup = directory.appendingPathComponent("warmup.ckpt").path
        try SupernetTrainer(config: oneShot, training: Self.data, dataset: .cifar10).train(checkpoint: warmup, stopAfter: 2)
        for config in [Self.withNewOptions(base), base.fewShot(edge: 3)] {
            let own = try SupernetTrainer(config: config, training: Self.data, dataset: .cifar10)
            try own.train()
            let branched = try SupernetTrainer(config: config, training: Self.data, dataset: .cifar10)
            try branched.branch(fromWarmup: warmup)
            #expect(branched.epoch == 2 && branched.batchInEpoch == 0)
            try branched.train()
            #expect(TrainingTests.state(branched) == TrainingTests.state(own), "k \(config.k): branched run differs")
        }
        var other = Self.withNewOptions(base)
        other.learningRate = 0.2
        let refused = try SupernetTrainer(config: other, training: Self.data, dataset: .cifar10)
        let before = TrainingTests.state(refused)
        #expect { try refused.branch(fromWarmup: warmup) } throws: { error in
            guard case .checkpoint(.configurationMismatch(_, let diffs)) = error as? SupernetError else { return false }
            return diffs.count == 1 && diffs[0].hasPrefix("learningRate")
        }
        let early = directory.appendingPathComponent("early.ckpt").path
        try SupernetTrainer(config: oneShot, training: Self.data, dataset: .cifar10).train(checkpoint: early, stopAfter: 1)
        #expect(TrainingTests.state(refused) == before && refused.epoch == 0)
        let fresh = try SupernetTrainer(config: Self.withNewOptions(base), training: Self.data, dataset: .cifar10)
        let freshState = TrainingTests.state(fresh)
        #expect { try fresh.branch(fromWarmup: early) } throws: { error in
            guard case .checkpoint(.unreadable(_, let why)) = error as? SupernetError else { return false }
            return why.contains("not the end of the 2-epoch warm-up")
        }
        #expect(TrainingTests.state(fresh) == freshState && fresh.epoch == 0)
    }

    /// Protocols without the new options encode exactly as before (no new keys), so stored protocols and checkpoints
    /// of older runs still match; each option is recorded when set.
    @Test func oldProtocolsEncodeUnchanged() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let small = String(decoding: try encoder.encode(SupernetConfig.small(k: 2, seed: 0)), as: UTF8.self)
        #expect(small == #"{"batchSize":64,"epochs":15,"k":2,"learningRate":0.05,"momentum":0.9,"seed":0,"shape":{"cellsPerStage":1,"channels":8,"classes":10,"resolution":32},"simplexEvery":4,"simplexHidden":64,"simplexLearningRate":0.001,"simplexPaths":16,"temperature":1,"warmupEpochs":3,"weightDecay":0.0005}"#)
        let all = Self.withNewOptions(Self.config()).fewShot(edge: 2)
        let json = String(decoding: try encoder.encode(all), as: UTF8.self)
        for key in ["itemGradient\":\"merged-rate", "mergedWeightDecay", "itemPerturbation", "freshItemMomentum", "simplexImagesPerPath",
                    "codeBalance", "splitEdge\":2"] {
            #expect(json.contains(key), "\(key) not recorded in \(json)")
        }
        #expect(try JSONDecoder().decode(SupernetConfig.self, from: Data(json.utf8)) == all)
    }
}
