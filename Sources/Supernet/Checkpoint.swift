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
    /// The configuration a checkpoint was written under (to rebuild its trainer, e.g. for evaluation).
    public static func stored(in checkpoint: String) throws(SupernetError) -> SupernetConfig {
        do { return try supernetCheckpoint.configuration(in: checkpoint) } catch { throw .checkpoint(error) }
    }
}

extension SupernetTrainer {
    /// Every tensor the checkpoint holds, in file order.
    var stateTensors: [Tensor] {
        var tensors = supernet.dictionary.allItems.map(\.value) + optimizers.flatMap(\.momentumBuffers)
        for s in supernet.batchNormStatistics { tensors += [s.mean, s.variance] }
        if let simplex, let simplexOptimizer {
            tensors += simplex.parameters.map(\.value) + simplexOptimizer.firstMoments + simplexOptimizer.secondMoments
        }
        return tensors
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

