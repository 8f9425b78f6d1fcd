import Datasets
import Engine
import Foundation
import Networks
import SearchSpace
import Support

/// Everything that fixes a stand-alone training run's numbers (recorded as the run's protocol).
public struct StandaloneConfig: Sendable, Codable, Equatable {
    public var arch: String
    public var dataset: String
    public var channels: Int = 16
    public var cellsPerStage: Int = 5
    public var epochs: Int
    public var batchSize: Int = 256
    public var learningRate: Float = 0.1
    public var momentum: Float = 0.9
    public var weightDecay: Float = 5e-4
    public var nesterov: Bool = true
    public var seed: UInt64 = 0
    /// Train on at most this many images of the training split (nil = all); a seeded subset.
    public var trainLimit: Int?
    /// Evaluate on at most this many images of each evaluation split (nil = all).
    public var evalLimit: Int?

    public init(arch: String, dataset: String, epochs: Int, channels: Int = 16, cellsPerStage: Int = 5, batchSize: Int = 256,
                learningRate: Float = 0.1, weightDecay: Float = 5e-4, seed: UInt64 = 0, trainLimit: Int? = nil, evalLimit: Int? = nil) {
        self.arch = arch
        self.dataset = dataset
        self.epochs = epochs
        self.channels = channels
        self.cellsPerStage = cellsPerStage
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.seed = seed
        self.trainLimit = trainLimit
        self.evalLimit = evalLimit
    }

    /// The run (and checkpoint file) name of this training when the user gives none.
    public var defaultRunName: String {
        let codes = (try? Cell(archString: arch))?.opCodes ?? arch
        return "train-arch-\(codes)-\(dataset)-e\(epochs)-C\(channels)N\(cellsPerStage)-s\(seed)"
    }

    /// Checks every count and size is positive and the learning rate a positive number.
    public func validate() throws(TrainingError) {
        let counts = [("epochs", epochs), ("batch size", batchSize), ("channels", channels), ("cells per stage", cellsPerStage),
                      ("train limit", trainLimit ?? 1), ("evaluation limit", evalLimit ?? 1)]
        if let (name, value) = counts.first(where: { $0.1 < 1 }) {
            throw .invalidConfiguration("\(name) must be at least 1, got \(value)")
        }
        guard learningRate > 0, learningRate.isFinite else { throw .invalidConfiguration("the learning rate must be a positive number, got \(learningRate)") }
    }
}

/// One epoch's figures.
public struct StandaloneEpoch: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var learningRate: Double
    public var seconds: Double
    public var images: Int
    /// False for the part of an epoch trained before a stop: its seconds and images count towards the run's cost,
    /// and the resumed epoch's figures (loss included) cover only the batches trained after the resume.
    public var complete = true
}

/// Final accuracy and loss on one evaluation split.
public struct SplitScore: Sendable, Codable, Equatable {
    public var split: String
    public var images: Int
    public var accuracy: Double
    public var loss: Double
}

/// Trains the stand-alone NB201 network for one cell with the NB201 recipe (SGD, Nesterov momentum 0.9,
/// cosine-annealed lr per iteration, weight decay 5e-4, random crop + flip) and evaluates it on the dataset's
/// benchmark splits.
public struct StandaloneTraining {
    public let config: StandaloneConfig
    public let data: BenchmarkData

    public init(config: StandaloneConfig, data: BenchmarkData) {
        self.config = config
        self.data = data
    }

    /// Splits the benchmark evaluates this dataset on (NB201.md): x-valid and/or the test splits.
    public var evaluationSplits: [BenchmarkSplit] {
        BenchmarkDataset(name: config.dataset)!.splits.filter { $0 != .train }
    }

    /// The checkpoint file: "NB201SA1", the configuration, (epochs done, SGD iterations done), then the trainer's
    /// state tensors. Batches and augmentation are functions of (seed, epoch, batch), so the two counters are the
    /// whole position; iterations beyond the finished epochs are the batches done of a stopped epoch.
    static let checkpointFormat = CheckpointFormat<StandaloneConfig>(magic: "NB201SA1", counterCount: 2)

    /// Trains the remaining epochs and evaluates. With `checkpoint`, the state is written there after every epoch
    /// and a run finds its place again from it (`onEpoch` is called only for the epochs trained now). `shouldStop` is
    /// asked before every batch: when it says yes, the position is checkpointed (to the batch, so the run resumes
    /// bit-identically), `onEpoch` gets the part-done epoch (`complete` false) and `WorkStopped` is thrown.
    /// `splits` limits the evaluation (default: every split of `evaluationSplits`).
    public func run(checkpoint: String? = nil, splits: [BenchmarkSplit]? = nil, quiet: Bool = false, shouldStop: () -> Bool = { false },
                    onEpoch: (StandaloneEpoch) throws -> Void = { _ in }) throws
        -> (epochs: [StandaloneEpoch], scores: [SplitScore], parameters: Int)
    {
        try config.validate()
        let dataset = BenchmarkDataset(name: config.dataset)!
        let cell = try Cell(archString: config.arch)
        let shape = NetworkShape(channels: config.channels, cellsPerStage: config.cellsPerStage, classes: dataset.classes,
                                 resolution: dataset.resolution)
        let root = SeededRandom(seed: config.seed)
        let network = NB201Network(cell: cell, shape: shape, rng: root.fork("init"))
        var train = try data.subset(.train)
        if let limit = config.trainLimit, limit < train.count { train = train.sample(limit, seed: config.seed) }
        let plan = BatchPlan.training(train, dataset: dataset, batchSize: config.batchSize, seed: root.fork("batches").seed)
        let trainer = Trainer(network: network, learningRate: config.learningRate, momentum: config.momentum,
                              weightDecay: config.weightDecay, nesterov: config.nesterov,
                              totalIterations: config.epochs * plan.batchesPerEpoch)
        var firstEpoch = 0, firstBatch = 0
        if let checkpoint, FileManager.default.fileExists(atPath: checkpoint) {
            let counters = try Self.checkpointFormat.load(from: checkpoint, expected: config, into: trainer.stateTensors) {
                (c: [UInt64]) throws(CheckpointError) in
                let batchInEpoch = Int(c[1]) - Int(c[0]) * plan.batchesPerEpoch
                guard Int(c[0]) <= config.epochs, batchInEpoch >= 0, batchInEpoch < plan.batchesPerEpoch,
                      Int(c[0]) < config.epochs || batchInEpoch == 0 else {
                    throw .corrupt(path: checkpoint, reason: "it records \(c[0]) epochs and \(c[1]) steps of a \(config.epochs)-epoch run of \(plan.batchesPerEpoch) steps per epoch")
                }
            }
            firstEpoch = Int(counters[0])
            firstBatch = Int(counters[1]) - firstEpoch * plan.batchesPerEpoch
            trainer.resume(atIteration: Int(counters[1]))
        }
        let meter = ProgressMeter(label: "train \(cell.opCodes) on \(config.dataset)",
                                  total: (config.epochs - firstEpoch) * plan.batchesPerEpoch - firstBatch, unit: "steps", quiet: quiet)
        var log: [StandaloneEpoch] = []
        for epoch in firstEpoch..<config.epochs {
            let t0 = Date()
            var lossSum = 0.0, seen = 0
            let lr = Double(trainer.schedule.learningRate(at: trainer.iteration))
            try plan.forEachBatch(epoch: epoch, from: epoch == firstEpoch ? firstBatch : 0) { batch in
                if shouldStop() {
                    if let checkpoint {
                        try Self.checkpointFormat.write(to: checkpoint, configuration: config,
                                                        counters: [UInt64(epoch), UInt64(trainer.iteration)], tensors: trainer.stateTensors)
                    }
                    try onEpoch(StandaloneEpoch(epoch: epoch, trainLoss: seen > 0 ? lossSum / Double(seen) : 0, learningRate: lr,
                                                seconds: Date().timeIntervalSince(t0), images: seen, complete: false))
                    throw WorkStopped(kept: "\(epoch) epochs and \(batch.position.batch) batches of \(config.epochs) epochs"
                        + (checkpoint.map { " in the checkpoint \($0)" } ?? " nowhere (no checkpoint file)"))
                }
                let loss = trainer.trainStep(images: batch.images, labels: batch.labels)
                guard loss.isFinite else { throw TrainingError.diverged(epoch: epoch, batch: batch.position.batch) }
                lossSum += Double(loss) * Double(batch.count)
                seen += batch.count
                meter.advance(note: String(format: "epoch %d loss %.3f", epoch, lossSum / Double(seen)))
            }
            let e = StandaloneEpoch(epoch: epoch, trainLoss: lossSum / Double(seen), learningRate: lr,
                                    seconds: Date().timeIntervalSince(t0), images: seen)
            log.append(e)
            if let checkpoint {
                try Self.checkpointFormat.write(to: checkpoint, configuration: config,
                                                counters: [UInt64(epoch + 1), UInt64(trainer.iteration)], tensors: trainer.stateTensors)
            }
            try onEpoch(e)
        }
        var scores: [SplitScore] = []
        for split in splits ?? evaluationSplits {
            var subset = try data.subset(split)
            if let limit = config.evalLimit, limit < subset.count { subset = subset.sample(limit, seed: config.seed) }
            var correct = 0, lossSum = 0.0
            BatchPlan.evaluation(subset, dataset: dataset, batchSize: 500).forEachBatch(epoch: 0) { batch in
                let r = trainer.evaluate(images: batch.images, labels: batch.labels)
                correct += r.correct
                lossSum += Double(r.loss) * Double(batch.count)
            }
            scores.append(SplitScore(split: split.rawValue, images: subset.count, accuracy: 100 * Double(correct) / Double(subset.count),
                                     loss: lossSum / Double(subset.count)))
        }
        return (log, scores, network.parameterCount)
    }
}

public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case diverged(epoch: Int, batch: Int)
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .diverged(e, b): "training diverged (non-finite loss) at epoch \(e), batch \(b); lower the learning rate"
        case let .invalidConfiguration(why): "invalid stand-alone training configuration: \(why)"
        }
    }
}
