import Datasets
import Foundation
import Store
import Support
import Training

/// One architecture trained stand-alone with the NB201 recipe (`nb201 train-arch`) as a run of kind `train-arch`:
/// opened through `BenchmarkStore.openRun` like every other run, each finished epoch logged, resumable from its
/// checkpoint, finished with the split scores as the run's summary. A finished run is not trained again.
public struct StandaloneExperiment {
    public static let kind = RunKind.standalone

    public let store: BenchmarkStore
    public let run: RunRecord
    public let config: StandaloneConfig
    /// The checkpoint written after every epoch (and at a stop), in the checkpoint directory under the run's name.
    public let checkpointPath: String

    /// What a finished training gives.
    public struct Result: Sendable {
        public var epochs: [StandaloneEpoch]
        public var scores: [SplitScore]
        public var parameters: Int
    }

    /// Opens the run `name` (default: from the configuration), creating it when new. An existing run must be a
    /// stand-alone run of the same configuration that has not finished (its checkpoint resumes it).
    public static func open(store: BenchmarkStore, config: StandaloneConfig, name: String? = nil, checkpointDirectory: String,
                            codeVersion: String) throws -> StandaloneExperiment {
        try config.validate() // before the run is recorded
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let runName = name ?? config.defaultRunName
        let run = try store.openRun(kind: kind, name: runName, dataset: config.dataset, seed: config.seed,
                                    protocolJSON: String(decoding: try encoder.encode(config), as: UTF8.self), codeVersion: codeVersion)
        guard run.status != .finished else {
            throw StoreError.conflictingValue("run '\(runName)' has finished (\(run.summaryJSON)); `nb201 runs` shows it, "
                + "or pass --name to train it again as a new run")
        }
        let checkpoint = URL(fileURLWithPath: checkpointDirectory).appendingPathComponent("\(runName).ckpt").path
        return StandaloneExperiment(store: store, run: run, config: config, checkpointPath: checkpoint)
    }

    /// Trains the remaining epochs on `data`, logging each finished epoch and the cost of a part-done one, and marks the
    /// run finished with the split scores. `shouldStop` is asked before every batch: a stop checkpoints the position,
    /// leaves the run resumable and throws `WorkStopped`; any other error marks the run failed (a rerun still resumes).
    public func train(data: BenchmarkData, quiet: Bool = false, shouldStop: () -> Bool = { false }) throws -> Result {
        try FileManager.default.createDirectory(atPath: (checkpointPath as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let trained: (epochs: [StandaloneEpoch], scores: [SplitScore], parameters: Int)
        do {
            trained = try StandaloneTraining(config: config, data: data).run(checkpoint: checkpointPath, quiet: quiet, shouldStop: shouldStop) { e in
                // A stopped epoch's part counts towards the cost; its log row comes when the resumed epoch ends.
                if e.complete {
                    try store.recordEpoch(run: run.id, RunEpoch(epoch: e.epoch, trainLoss: e.trainLoss, learningRate: e.learningRate,
                                                                seconds: e.seconds, images: e.images))
                }
                try store.updateRun(id: run.id, addSeconds: e.seconds, addImages: e.images)
            }
        } catch let error where !(error is WorkStopped) {
            let encoder = JSONEncoder()
            let summary = try? encoder.encode(["error": String(describing: error)])
            try? store.updateRun(id: run.id, status: .failed, summaryJSON: summary.map { String(decoding: $0, as: UTF8.self) })
            throw error
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try store.updateRun(id: run.id, status: .finished, summaryJSON: String(decoding: try encoder.encode(trained.scores), as: UTF8.self))
        return Result(epochs: trained.epochs, scores: trained.scores, parameters: trained.parameters)
    }
}
