import Support
import Datasets
import Engine
import Foundation
import SearchSpace
import Store
import Supernet

/// The data a supernet learns from and is measured on (NB201.md): CIFAR-10 trains weights on the 25k "train" half
/// of cifar10-valid and validates on the other half; CIFAR-100 and ImageNet16-120 train on the full train set and
/// validate on x-valid.
public struct SupernetData: Sendable {
    public let benchmark: BenchmarkDataset
    public let training: Subset
    public let validation: Subset

    public init(dataset: BenchmarkDataset, dataDirectory: String, splitsDirectory: String) throws {
        let source = dataset.searchSource
        let data = try BenchmarkData.load(source, dataDirectory: dataDirectory, splitsDirectory: splitsDirectory)
        benchmark = source
        training = try data.subset(.train)
        validation = try data.subset(.xValid)
    }

    public init(benchmark: BenchmarkDataset, training: Subset, validation: Subset) {
        self.benchmark = benchmark
        self.training = training
        self.validation = validation
    }
}

/// Where evaluation draws its fixed calibration and validation images (KSHOT.md defaults).
public struct EvaluationProtocol: Sendable, Codable, Equatable {
    public var calibrationBatches = 10
    public var calibrationBatchSize = 64
    public var validationImages = 2000
    public var seed: UInt64 = 0
    /// BatchNorm normalises each validation batch by its own statistics instead of recalibrated ones; nil is false
    /// (optional so that older stored protocols decode and compare unchanged).
    public var batchStatistics: Bool?

    public init() {}
}

/// A supernet run recorded in the database: its configuration is the run's protocol, every epoch is logged, the
/// checkpoint sits at `checkpointPath`, and its path estimates are the run's `supernet` estimates.
public struct SupernetExperiment {
    public let store: BenchmarkStore
    public let run: RunRecord
    public let config: SupernetConfig
    public let checkpointPath: String

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    /// Opens the run named `name`, creating it when new. An existing run must have been made with the same
    /// configuration (else the differences are named and nothing is touched).
    public static func open(store: BenchmarkStore, name: String, dataset: String, config: SupernetConfig,
                            checkpointDirectory: String, codeVersion: String) throws -> SupernetExperiment {
        try config.validate() // before the run is recorded: a run that cannot train is never left `running`
        let protocolJSON = String(decoding: try encoder.encode(config), as: UTF8.self)
        let run = try store.openRun(kind: .supernet, name: name, dataset: dataset, seed: config.seed,
                                    protocolJSON: protocolJSON, codeVersion: codeVersion)
        try FileManager.default.createDirectory(atPath: checkpointDirectory, withIntermediateDirectories: true)
        let checkpoint = URL(fileURLWithPath: checkpointDirectory).appendingPathComponent("\(name).ckpt").path
        return SupernetExperiment(store: store, run: run, config: config, checkpointPath: checkpoint)
    }

    /// Opens an existing run by id or name, reading its configuration back from the stored protocol.
    public static func open(store: BenchmarkStore, run name: String, checkpointDirectory: String) throws -> SupernetExperiment {
        let run = try store.run(named: name)
        guard run.kind == .supernet else { throw StoreError.noData("run '\(name)' is a \(run.kind) run, not a supernet") }
        let config = try JSONDecoder().decode(SupernetConfig.self, from: Data(run.protocolJSON.utf8))
        let checkpoint = URL(fileURLWithPath: checkpointDirectory).appendingPathComponent("\(run.name).ckpt").path
        return SupernetExperiment(store: store, run: run, config: config, checkpointPath: checkpoint)
    }

    /// The name `nb201 train` and the study give the run of `config` trained from `preset` on `dataset`.
    public static func runName(dataset: String, preset: String, config: SupernetConfig) -> String {
        "supernet-\(dataset)-\(preset)-\(config.splitEdge.map { "fewshot-e\($0)" } ?? "k\(config.k)")-s\(config.seed)"
    }

    /// The copy of the checkpoint kept after `epoch` (for rankings over training time).
    public func snapshotPath(epoch: Int) -> String {
        checkpointPath.replacingOccurrences(of: ".ckpt", with: ".epoch\(epoch).ckpt")
    }

    /// Keeps a copy of the checkpoint as the snapshot after `epoch`.
    private func keepSnapshot(epoch: Int) throws {
        let snapshot = snapshotPath(epoch: epoch)
        try? FileManager.default.removeItem(atPath: snapshot)
        try FileManager.default.copyItem(atPath: checkpointPath, toPath: snapshot)
    }

    /// The estimator name of a snapshot's estimates ("supernet" for the finished run).
    public static func estimator(snapshotEpoch: Int?) -> String {
        snapshotEpoch.map { "supernet@epoch\($0)" } ?? "supernet"
    }

    /// Trains (or resumes) to the end of the budget, checkpointing and logging every epoch; after each epoch in
    /// `snapshotEpochs` a copy of the checkpoint is kept at `snapshotPath(epoch:)`. When `shouldStop` says yes
    /// (e.g. after Ctrl-C) the part-done epoch is checkpointed and it returns early. A fresh K > 1 run given `warmupFrom`
    /// (a one-shot run of the same warm-up protocol that kept a snapshot after its warm-up) starts from that snapshot.
    /// With `stopAfter` it trains up to that epoch only.
    public func train(data: SupernetData, snapshotEpochs: Set<Int> = [], warmupFrom: SupernetExperiment? = nil, stopAfter: Int? = nil,
                      quiet: Bool = false, shouldStop: () -> Bool = { false }) throws -> SupernetTrainer {
        let trainer = try SupernetTrainer.resuming(from: checkpointPath, config: config, training: data.training,
                                                   dataset: data.benchmark)
        if let warmupFrom, trainer.epoch == 0 && trainer.batchInEpoch == 0 {
            try branch(trainer, from: warmupFrom, keepingSnapshot: snapshotEpochs.contains(config.warmupEpochs))
        }
        let meter = ProgressMeter(label: "supernet \(run.name)", total: config.epochs, unit: "epochs", quiet: quiet)
        if trainer.epoch > 0 || trainer.batchInEpoch > 0 {
            meter.resume(at: trainer.epoch, note: "resumed from the checkpoint at epoch \(trainer.epoch) batch \(trainer.batchInEpoch)")
        }
        var failure: Error?
        try trainer.train(checkpoint: checkpointPath, stopAfter: stopAfter, shouldStop: shouldStop) { log in
            guard log.complete else {
                // The part of an interrupted epoch counts towards the run's cost; its log row comes with the resume.
                do { try store.updateRun(id: run.id, addSeconds: log.seconds, addImages: log.images) } catch { failure = failure ?? error }
                return
            }
            do {
                var metrics = ["accuracy": log.accuracy]
                if let s = log.simplexLoss { metrics["simplex_loss"] = s }
                if let codes = log.codes { metrics.merge(codes.metrics) { $1 } }
                let metricsJSON = String(decoding: (try? Self.encoder.encode(metrics)) ?? Data("{}".utf8), as: UTF8.self)
                try store.recordEpoch(run: run.id, RunEpoch(epoch: log.epoch - 1, trainLoss: log.loss, trainAccuracy: 100 * log.accuracy,
                                                            learningRate: Double(log.learningRate), seconds: log.seconds,
                                                            images: log.images, metricsJSON: metricsJSON))
                try store.updateRun(id: run.id, addSeconds: log.seconds, addImages: log.images)
                if snapshotEpochs.contains(log.epoch) { try keepSnapshot(epoch: log.epoch) }
            } catch { failure = failure ?? error }
            meter.advance(note: String(format: "loss %.3f acc %.1f%%%@", log.loss, 100 * log.accuracy,
                                       log.simplexLoss.map { String(format: " simplex %.3f", $0) } ?? ""))
        }
        if let failure { throw failure }
        return trainer
    }

    /// Starts `trainer` from the warm-up snapshot of the one-shot run `oneShot` and logs the shared warm-up epochs as
    /// that run logged them, marked `shared_warmup_run`, with their images but not their seconds (the one-shot run
    /// paid for them), and the codes at the switch. `keepingSnapshot` keeps a copy of the checkpoint as the snapshot after the warm-up.
    private func branch(_ trainer: SupernetTrainer, from oneShot: SupernetExperiment, keepingSnapshot: Bool) throws {
        let warmup = config.warmupEpochs, snapshot = oneShot.snapshotPath(epoch: warmup)
        guard FileManager.default.fileExists(atPath: snapshot) else {
            throw StoreError.noData("run '\(oneShot.run.name)' kept no checkpoint after its \(warmup) warm-up epochs (\(snapshot)); train it with --snapshot-epochs \(warmup)")
        }
        try trainer.branch(fromWarmup: snapshot)
        for e in try store.epochs(run: oneShot.run.id) where e.epoch < warmup {
            var metrics = (try? JSONDecoder().decode([String: Double].self, from: Data(e.metricsJSON.utf8))) ?? [:]
            metrics["shared_warmup_run"] = Double(oneShot.run.id)
            // The last warm-up epoch's log ends with the codes at the switch, as an own warm-up's does.
            if e.epoch == warmup - 1, let codes = trainer.codeSummary() { metrics.merge(codes.metrics) { $1 } }
            var shared = e
            shared.seconds = nil
            shared.metricsJSON = String(decoding: try Self.encoder.encode(metrics), as: UTF8.self)
            try store.recordEpoch(run: run.id, shared)
            try store.updateRun(id: run.id, addImages: e.images ?? 0)
        }
        try trainer.writeCheckpoint(to: checkpointPath)
        if keepingSnapshot { try keepSnapshot(epoch: warmup) }
    }

    /// Estimates every selected path not yet estimated (an interrupted evaluation resumes), writing estimates in
    /// batches as it goes. With `snapshotEpoch` the paths are estimated with the checkpoint kept after that epoch,
    /// under the estimator `supernet@epochE` (their time is not added to the run's cost). Returns how many were
    /// estimated now. `shouldStop` is asked before every path: when it says yes the estimates made so far are written
    /// and `WorkStopped` is thrown.
    @discardableResult
    public func evaluate(_ architectures: [Int], data: SupernetData, evaluation: EvaluationProtocol = .init(),
                         snapshotEpoch: Int? = nil, quiet: Bool = false, shouldStop: () -> Bool = { false }) throws -> Int {
        let path = snapshotEpoch.map(snapshotPath(epoch:)) ?? checkpointPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.noData("run '\(run.name)' has no checkpoint at \(path); train it with nb201 train first\(snapshotEpoch == nil ? "" : " (snapshots are kept only for the epochs asked for while training)")")
        }
        let trainer = try SupernetTrainer.resuming(from: path, config: config, training: data.training, dataset: data.benchmark)
        guard trainer.isFinished || snapshotEpoch == trainer.epoch else {
            throw StoreError.noData("run '\(run.name)' has trained \(trainer.epoch) of \(config.epochs) epochs (checkpoint \(path)); finish it with nb201 train first")
        }
        let estimator = Self.estimator(snapshotEpoch: snapshotEpoch)
        try recordEvaluationProtocol(evaluation)
        let evaluator = PathEvaluator(trainer: trainer, calibration: data.training, validation: data.validation,
                                      dataset: data.benchmark, calibrationBatches: evaluation.calibrationBatches,
                                      calibrationBatchSize: evaluation.calibrationBatchSize,
                                      validationImages: evaluation.validationImages,
                                      batchStatistics: evaluation.batchStatistics ?? false, seed: evaluation.seed)
        let done = Set(try store.estimates(run: run.id, estimator: estimator).map(\.arch))
        let todo = architectures.filter { !done.contains($0) }
        let meter = ProgressMeter(label: "evaluate \(run.name)", total: todo.count, unit: "paths", quiet: quiet)
        var pending: [Estimate] = []
        for (n, index) in todo.enumerated() {
            if shouldStop() {
                try flush(&pending, addingCost: snapshotEpoch == nil)
                throw WorkStopped(kept: "\(architectures.count - todo.count + n) of \(architectures.count) \(estimator) estimates of run '\(run.name)'")
            }
            let start = Date()
            let estimate = evaluator.evaluate(try store.cell(at: index))
            let lambda = estimate.lambda.map { String(format: "%.6g", $0) }.joined(separator: ",")
            pending.append(Estimate(arch: index, estimator: estimator, score: estimate.accuracy, accuracy: estimate.accuracy,
                                    loss: estimate.loss, detailsJSON: #"{"lambda":[\#(lambda)]}"#,
                                    seconds: Date().timeIntervalSince(start)))
            meter.advance(note: String(format: "acc %.2f%%", estimate.accuracy))
            if pending.count == 10 { try flush(&pending, addingCost: snapshotEpoch == nil) }
        }
        try flush(&pending, addingCost: snapshotEpoch == nil)
        return todo.count
    }

    /// What the run's summary says about how its paths are evaluated.
    private struct EvaluationSummary: Codable { var evaluation: EvaluationProtocol? }

    /// Stores the evaluation protocol in the run's summary, or checks it equals the one already stored: estimates made
    /// under two protocols (e.g. another validation subset after an interruption) must never mix in one run.
    private func recordEvaluationProtocol(_ evaluation: EvaluationProtocol) throws {
        let stored = try store.run(id: run.id).summaryJSON
        if let previous = try? JSONDecoder().decode(EvaluationSummary.self, from: Data(stored.utf8)).evaluation {
            guard previous == evaluation else {
                let encode = { (e: EvaluationProtocol) in String(decoding: (try? Self.encoder.encode(e)) ?? Data(), as: UTF8.self) }
                throw StoreError.conflictingValue("run '\(run.name)' was evaluated with \(encode(previous)); now \(encode(evaluation)). Estimates of one run share one protocol: evaluate with the same options, or train a run under another name")
            }
            return
        }
        let summary = String(decoding: try Self.encoder.encode(EvaluationSummary(evaluation: evaluation)), as: UTF8.self)
        try store.updateRun(id: run.id, summaryJSON: summary)
    }

    private func flush(_ pending: inout [Estimate], addingCost: Bool) throws {
        guard !pending.isEmpty else { return }
        try store.addEstimates(run: run.id, pending)
        if addingCost { try store.updateRun(id: run.id, addSeconds: pending.compactMap(\.seconds).reduce(0, +)) }
        pending.removeAll()
    }
}
