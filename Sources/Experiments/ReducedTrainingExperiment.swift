import Support
import Datasets
import Engine
import Foundation
import SearchSpace
import Store
import Training

/// The reduced-training estimator (EcoNAS-style): every architecture trained stand-alone at a reduced shape and a
/// short budget on the data a supernet learns from, scored by its accuracy on a fixed subset of the validation
/// split. It is the ceiling a supernet of the same shape and budget can hope for, and an estimator in its own
/// right. One run holds one protocol; its estimates (estimator `reduced-training`) are written per architecture,
/// so a rerun resumes, and an architecture interrupted mid-training resumes from its checkpoint.
public struct ReducedTrainingExperiment {
    /// Every choice that fixes the estimates; a resumed run must match it.
    public struct ReducedProtocol: Codable, Equatable, Sendable {
        /// The dataset as the supernets name it (cifar10 trains on cifar10-valid's train half).
        public var dataset: String
        public var channels: Int
        public var cellsPerStage: Int
        public var epochs: Int
        public var batchSize: Int
        public var learningRate: Float
        public var weightDecay: Float
        /// Images of the validation split (a seeded subset) each architecture is scored on.
        public var validationImages: Int
        /// Train on a seeded subset of this many images of the training split (nil: all of it).
        public var trainImages: Int?
        public var seed: UInt64
        var recipe = "NB201 recipe (SGD Nesterov 0.9, cosine lr per step, crop + flip) on the supernet's training split; score: top-1 % on the validation subset"

        public init(dataset: BenchmarkDataset, shape: NetworkShape, epochs: Int, batchSize: Int, learningRate: Float,
                    weightDecay: Float = 5e-4, validationImages: Int, trainImages: Int? = nil, seed: UInt64) {
            self.dataset = dataset.rawValue
            channels = shape.channels
            cellsPerStage = shape.cellsPerStage
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            self.validationImages = validationImages
            self.trainImages = trainImages
            self.seed = seed
        }

        /// The name a run gets when the user gives none.
        public var defaultRunName: String {
            "reduced-\(dataset)-C\(channels)N\(cellsPerStage)-e\(epochs)-b\(batchSize)-lr\(learningRate)\(trainImages.map { "-t\($0)" } ?? "")-v\(validationImages)-s\(seed)"
        }

        /// The stand-alone training of one architecture under this protocol.
        func standalone(_ cell: Cell) -> StandaloneConfig {
            let source = BenchmarkDataset(name: dataset)!.searchSource
            return StandaloneConfig(arch: cell.archString, dataset: source.rawValue, epochs: epochs, channels: channels,
                                    cellsPerStage: cellsPerStage, batchSize: batchSize, learningRate: learningRate,
                                    weightDecay: weightDecay, seed: seed, trainLimit: trainImages, evalLimit: validationImages)
        }
    }

    /// The estimator name of the run's estimates.
    public static let estimator = "reduced-training"

    public let store: BenchmarkStore
    public let run: RunRecord
    public let reducedProtocol: ReducedProtocol
    let checkpointDirectory: String

    /// Opens the run `name` (default: from the protocol), creating it when new; an existing run must be a
    /// reduced-training run with the same protocol.
    public static func open(store: BenchmarkStore, protocol reducedProtocol: ReducedProtocol, name: String? = nil,
                            checkpointDirectory: String, codeVersion: String) throws -> ReducedTrainingExperiment {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let protocolJSON = String(decoding: try encoder.encode(reducedProtocol), as: UTF8.self)
        let run = try store.openRun(kind: .reducedTraining, name: name ?? reducedProtocol.defaultRunName,
                                    dataset: reducedProtocol.dataset, seed: reducedProtocol.seed,
                                    protocolJSON: protocolJSON, codeVersion: codeVersion)
        return ReducedTrainingExperiment(store: store, run: run, reducedProtocol: reducedProtocol,
                                         checkpointDirectory: checkpointDirectory)
    }

    /// What one architecture's estimate records besides its score.
    struct Details: Codable {
        /// Mean training loss of each epoch trained in the process that finished the architecture.
        var trainLoss: [Double]
        var parameters: Int
        var validationLoss: Double
    }

    /// Trains and scores every architecture of `indices` not estimated yet, marks the run finished and returns how
    /// many were estimated now. A checkpoint per architecture (removed once its estimate is stored) lets an
    /// interrupted training resume. `shouldStop` is asked before every batch: a stop keeps the estimates made and
    /// the checkpoint of the architecture in training (its cost so far is added to the run) and throws `WorkStopped`.
    @discardableResult
    public func estimate(_ indices: [Int], dataDirectory: String, splitsDirectory: String, quiet: Bool = false,
                         shouldStop: () -> Bool = { false }) throws -> Int {
        let done = Set(try store.estimates(run: run.id, estimator: Self.estimator).map(\.arch))
        let todo = indices.filter { !done.contains($0) }
        if !todo.isEmpty {
            let source = BenchmarkDataset(name: reducedProtocol.dataset)!.searchSource
            let benchmarkData = try BenchmarkData.load(source, dataDirectory: dataDirectory, splitsDirectory: splitsDirectory)
            try FileManager.default.createDirectory(atPath: checkpointDirectory, withIntermediateDirectories: true)
            let meter = ProgressMeter(label: "reduced training \(run.name)", total: todo.count, unit: "archs", quiet: quiet)
            if !quiet && !done.isEmpty { FileHandle.standardError.write(Data("resuming: \(done.count) architectures already estimated\n".utf8)) }
            for index in todo {
                let config = reducedProtocol.standalone(try store.cell(at: index))
                let checkpoint = URL(fileURLWithPath: checkpointDirectory).appendingPathComponent("\(config.defaultRunName).ckpt").path
                let started = Date()
                var images = 0
                let result: (epochs: [StandaloneEpoch], scores: [SplitScore], parameters: Int)
                do {
                    result = try StandaloneTraining(config: config, data: benchmarkData)
                        .run(checkpoint: checkpoint, splits: [.xValid], quiet: true, shouldStop: shouldStop, onEpoch: { images += $0.images })
                } catch is WorkStopped {
                    try store.updateRun(id: run.id, addSeconds: Date().timeIntervalSince(started), addImages: images)
                    let estimated = try store.estimates(run: run.id, estimator: Self.estimator).count
                    throw WorkStopped(kept: "\(estimated) architectures estimated and the checkpoint of \(config.arch) (\(checkpoint))")
                }
                let seconds = Date().timeIntervalSince(started)
                guard let score = result.scores.first else { continue }
                let details = Details(trainLoss: result.epochs.map(\.trainLoss), parameters: result.parameters, validationLoss: score.loss)
                try store.addEstimates(run: run.id, [Estimate(arch: index, estimator: Self.estimator, score: score.accuracy,
                                                              accuracy: score.accuracy, loss: score.loss,
                                                              detailsJSON: String(decoding: try JSONEncoder().encode(details), as: UTF8.self),
                                                              seconds: seconds)])
                try store.updateRun(id: run.id, addSeconds: seconds, addImages: images)
                try? FileManager.default.removeItem(atPath: checkpoint)
                meter.advance(note: String(format: "%@ %.2f%% in %.0f s", config.arch, score.accuracy, seconds))
            }
        }
        try store.updateRun(id: run.id, status: .finished)
        return todo.count
    }
}
