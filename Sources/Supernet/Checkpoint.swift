import Datasets
import SearchSpace
import Engine
import Foundation

/// The checkpoint file (Engine's CheckpointFormat): "NB201SN2", the configuration, three counters (the epochs
/// completed, the batches of the current epoch completed and the simplex-net's Adam step count), then the state
/// tensors, in order: the K items of every weight tensor (item-major), the SGD momentum buffers (tensor-major), every
/// BatchNorm's running mean and variance, and for K > 1 the simplex-net's parameters and Adam moments.
/// Batch order, augmentation and path draws are functions of (seed, iteration), so (epoch, batch) is the whole
/// position: a resumed run replays exactly the draws an uninterrupted one makes.
let supernetCheckpoint = CheckpointFormat<SupernetConfig>(magic: "NB201SN2", counterCount: 3)

extension SupernetConfig {
    /// This protocol with every knob that only acts after the warm-up reset (K = 1, simplex-net, K-shot options,
    /// few-shot split): runs with equal warm-up protocols train bit-identical warm-ups.
    public var warmupProtocol: SupernetConfig {
        let defaults = SupernetConfig(shape: shape, k: 1, epochs: epochs, warmupEpochs: warmupEpochs, batchSize: batchSize, seed: seed)
        var c = self
        c.k = 1
        c.simplexLearningRate = defaults.simplexLearningRate
        c.simplexEvery = defaults.simplexEvery
        c.simplexPaths = defaults.simplexPaths
        c.simplexHidden = defaults.simplexHidden
        c.temperature = defaults.temperature
        c.itemGradient = nil
        c.mergedWeightDecay = nil
        c.itemPerturbation = nil
        c.freshItemMomentum = nil
        c.simplexImagesPerPath = nil
        c.simplexDelayEpochs = nil
        c.codeBalance = nil
        c.splitEdge = nil
        return c
    }

    /// The configuration a checkpoint was written under (to rebuild its trainer, e.g. for evaluation).
    public static func stored(in checkpoint: String) throws(SupernetError) -> SupernetConfig {
        do { return try supernetCheckpoint.configuration(in: checkpoint) } catch { throw .checkpoint(error) }
    }
}

extension SupernetTrainer {
    /// Every tensor the checkpoint holds, in file order.
    var stateTensors: [Tensor] {
        var tensors = supernet.dictionary.allItems.map(\.value) + optimizers.flatMap(\.momentumBuffers) + batchNormTensors
        if let simplex, let simplexOptimizer {
            tensors += simplex.parameters.map(\.value) + simplexOptimizer.firstMoments + simplexOptimizer.secondMoments
        }
        return tensors
    }

    /// Every BatchNorm's running mean and variance, in checkpoint order.
    private var batchNormTensors: [Tensor] { supernet.batchNormStatistics.flatMap { [$0.mean, $0.variance] } }

    /// The tensors a one-shot (K = 1) checkpoint holds, as this trainer's: theta^1, its momentum, the BatchNorm statistics.
    private var oneShotStateTensors: [Tensor] {
        supernet.dictionary.items[0].map(\.value) + optimizers.map { $0.momentumBuffers[0] } + batchNormTensors
    }

    /// Starts this fresh K > 1 (or few-shot) run from the checkpoint a one-shot run of the same warm-up protocol kept at
    /// the end of its warm-up, instead of training the warm-up again: theta^1, its momentum and the BatchNorm statistics
    /// are loaded, then the switch to K items happens as after an own warm-up. Bit-identical to training the warm-up,
    /// which is the one-shot loop with draws that do not depend on K, so a K sweep pays for one warm-up.
    public func branch(fromWarmup path: String) throws(SupernetError) {
        let warmup = config.warmupEpochs
        guard config.k > 1, warmup > 0, epoch == 0, batchInEpoch == 0 else {
            throw .invalidConfiguration("only a fresh K > 1 run with warm-up epochs can start from a one-shot warm-up")
        }
        let oneShot = try SupernetConfig.stored(in: path)
        guard oneShot.k == 1, oneShot.warmupProtocol == config.warmupProtocol else {
            throw .checkpoint(.configurationMismatch(path: path, differences: type(of: supernetCheckpoint).fieldDifferences(
                oneShot.k == 1 ? oneShot.warmupProtocol : oneShot, config.warmupProtocol)))
        }
        do {
            _ = try supernetCheckpoint.load(from: path, expected: oneShot, into: oneShotStateTensors) { (c: [UInt64]) throws(CheckpointError) in
                guard c[0] == UInt64(warmup), c[1] == 0 else {
                    throw .unreadable(path: path, reason: "it holds epoch \(c[0]) batch \(c[1]), not the end of the \(warmup)-epoch warm-up")
                }
            }
        } catch { throw .checkpoint(error) }
        epoch = warmup
        switchToItems()
    }

    /// Writes the whole training state to `path` atomically (a temporary file renamed over it).
    public func writeCheckpoint(to path: String) throws(SupernetError) {
        do {
            try supernetCheckpoint.write(to: path, configuration: config,
                                         counters: [UInt64(epoch), UInt64(batchInEpoch), UInt64(simplexOptimizer?.steps ?? 0)],
                                         tensors: stateTensors)
        } catch { throw .checkpoint(error) }
    }

    /// Restores the state written by `writeCheckpoint` into this trainer, which must have been created with the
    /// same configuration. Validates everything before changing anything.
    public func loadCheckpoint(from path: String) throws(SupernetError) {
        let epochsPerRun = config.epochs, batchesPerEpoch = plan.batchesPerEpoch
        let counters: [UInt64]
        do {
            counters = try supernetCheckpoint.load(from: path, expected: config, into: stateTensors) { (c: [UInt64]) throws(CheckpointError) in
                let epochs = Int(c[0]), batches = Int(c[1])
                guard epochs <= epochsPerRun else {
                    throw .corrupt(path: path, reason: "it records \(epochs) epochs of a \(epochsPerRun)-epoch run")
                }
                guard batches < batchesPerEpoch, epochs < epochsPerRun || batches == 0 else {
                    throw .corrupt(path: path, reason: "it records batch \(batches) of an epoch of \(batchesPerEpoch) batches")
                }
            }
        } catch { throw .checkpoint(error) }
        epoch = Int(counters[0])
        batchInEpoch = Int(counters[1])
        simplexOptimizer?.steps = Int(counters[2])
    }

    /// A trainer resumed from `path` (checked against `config`), or a fresh one when no file is there.
    public static func resuming(from path: String, config: SupernetConfig, training: Subset,
                                dataset: BenchmarkDataset) throws(SupernetError) -> SupernetTrainer {
        let trainer = try SupernetTrainer(config: config, training: training, dataset: dataset)
        if FileManager.default.fileExists(atPath: path) { try trainer.loadCheckpoint(from: path) }
        return trainer
    }
}

