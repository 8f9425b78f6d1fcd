import Support
import ArgumentParser
import Engine
import Experiments
import Foundation
import SearchSpace
import Store
import Supernet

/// Where the supernet's data and checkpoints live.
struct SupernetDataOptions: ParsableArguments {
    @Option(help: "Directory holding the dataset's files (see data/DATASETS.md).") var data: String
    @Option(help: "Directory of the NB201 split files (default: $NB201_SPLITS, else ../shared/data/splits; see README).") var splits: String?
    @Option(help: "Directory for checkpoints (one file per run, written atomically every epoch; default: <db>.checkpoints).")
    var checkpoints: String?
    @OptionGroup var engine: EngineOptions

    func configureEngine() throws { try engine.configure() }
}

/// How many engine worker threads a training command uses.
struct EngineOptions: ParsableArguments {
    @Option(help: "Engine worker threads (default: one per online core); 1 lets two runs share a 2-core machine.")
    var threads: Int?

    /// Applies `--threads` to the engine (process-wide, before any training).
    func configure() throws {
        guard let threads else { return }
        guard threads >= 1 else {
            printError("--threads must be at least 1, got \(threads)")
            throw ExitStatus.usage.code
        }
        EngineConfig.threading = .batchSplit(workers: threads)
    }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a one-shot (K = 1) or K-shot supernet; resumes from its checkpoint when run again.",
        discussion: """
            Presets (SupernetConfig): tiny (C=4 N=1, 128 images, 3 epochs; seconds), small (C=8 N=1, 15 epochs with 3 \
            warm-up, batch 64, a simplex-net step every 4, CIFAR-10's 25k train half; about 15 min per run on one core with \
            500 path evaluations: use --threads 1 to run two at once), medium (the ranking protocol: the small shape for 25 \
            epochs at a constant lr 0.05, 10 warm-up, non-isomorphic sampling, gradient clipping at 5), paper (C=16 N=5, NB201 recipe, 250 epochs). Every knob below overrides the preset. The run, its protocol and per-epoch log go into the database.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var paths: SupernetDataOptions
    @Option(help: "cifar10, cifar100 or ImageNet16-120.") var dataset: BenchmarkDataset
    @Option(help: "Dictionary size K (1 = one-shot); few-shot has K = 5.") var k: Int?
    @Option(help: "k-shot (K from --k) or few-shot (the warmed-up supernet split on --split-edge into 5 sub-supernets, one per operation).")
    var method: SupernetMethod = .kShot
    @Option(help: "Few-shot: the edge (0-5) whose operation chooses a path's sub-supernet (default 0).") var splitEdge: Int?
    @Option(help: "Seed of every draw of the run.") var seed: UInt64 = 0
    @Option(help: "tiny, small, medium or paper.") var preset = "small"
    @Option(name: .customLong("C")) var channels: Int?
    @Option(name: .customLong("N")) var cells: Int?
    @Option var epochs: Int?
    @Option(help: "Warm-up epochs (K = 1 semantics), counted in the budget.") var warmup: Int?
    @Option var batch: Int?
    @Option var lr: Float?
    @Option var weightDecay: Float?
    @Option var simplexLr: Float?
    @Option(help: "Paths per simplex-net step.") var simplexPaths: Int?
    @Option(help: "A simplex-net step every this many supernet steps.") var simplexEvery: Int?
    @Option var temperature: Float?
    @Option(help: "Train on a seeded subset of this many images.") var trainSubset: Int?
    @Option(help: "Paths of supernet steps: uniform (over all 15,625 cells) or non-isomorphic (uniform over the classes of connected cells).")
    var sampling: PathSampling?
    @Option(help: "Clip each step's gradient to this L2 norm (e.g. 5).") var clipGrad: Float?
    @Option(help: "The learning rate the cosine schedule anneals to (default 0; the base --lr gives a constant rate).") var minLr: Float?
    @Option(help: "K-shot item gradients: lambda (lambda_k dL/dw; the merged weight learns at lr x sum lambda^2) or merged-rate (lambda_k / sum lambda^2 x dL/dw; the one-shot rate).")
    var itemGradient: ItemGradient?
    @Flag(help: "K-shot: after the warm-up, items decay as the merged weight does (wd x lambda_k x w) instead of in full.")
    var mergedWeightDecay = false
    @Option(help: "K-shot: at the switch multiply every item element-wise by 1 + sigma x N(0,1) (e.g. 0.05).") var itemPerturbation: Float?
    @Flag(help: "K-shot: at the switch start every item's momentum at zero instead of copying the warm-up's.") var freshItemMomentum = false
    @Option(help: "K-shot: simplex-net steps on their own batch of (simplex paths) x this many images, instead of splitting the supernet batch.")
    var simplexImagesPerPath: Int?
    @Option(help: "K-shot: epochs after the warm-up before the first simplex-net step.") var simplexDelay: Int?
    @Option(help: "K-shot: weight of KL(mean code of a simplex-net step's paths || uniform) in the simplex-net's loss (e.g. 0.3).")
    var codeBalance: Float?
    @Option(help: "Run name (default: derived from dataset, preset, K and seed).") var name: String?
    @Option(help: "Epochs after which a copy of the checkpoint is kept (comma-separated), for rankings over training time.")
    var snapshotEpochs: String?
    @Option(help: "K > 1 or few-shot: start from the warm-up of this one-shot run (id or name, trained with --snapshot-epochs at the end of its warm-up) instead of training it again.")
    var warmupFrom: String?
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        let benchmark = dataset.searchDataset
        guard let k = method == .fewShot ? Operation.allCases.count : k, splitEdge == nil || method == .fewShot else {
            printError(k == nil ? "choose --k (1 = one-shot) or --method few-shot" : "--split-edge is an option of --method few-shot")
            throw ExitStatus.usage.code
        }
        // Few-shot splits the preset's one-shot configuration (its K-shot options do not apply), as the study's few-shot
        // runs do, so that both give the run the same protocol.
        guard var config = SupernetConfig.preset(preset, k: method == .fewShot ? 1 : k, seed: seed, classes: benchmark.classes,
                                                 resolution: benchmark.resolution) else {
            printError("unknown --preset '\(preset)'; valid: \(SupernetConfig.presetNames.joined(separator: ", "))")
            throw ExitStatus.usage.code
        }
        if let channels { config.shape.channels = channels }
        if let cells { config.shape.cellsPerStage = cells }
        if let epochs { config.epochs = epochs }
        if let warmup { config.warmupEpochs = warmup }
        if let batch { config.batchSize = batch }
        if let lr { config.learningRate = lr }
        if let weightDecay { config.weightDecay = weightDecay }
        if let simplexLr { config.simplexLearningRate = simplexLr }
        if let simplexPaths { config.simplexPaths = simplexPaths }
        if let simplexEvery { config.simplexEvery = simplexEvery }
        if let temperature { config.temperature = temperature }
        if let trainSubset { config.trainSubsetSize = trainSubset }
        if let sampling { config.pathSampling = sampling }
        if let clipGrad { config.gradientClip = clipGrad }
        if let minLr { config.minimumLearningRate = minLr }
        if let itemGradient { config.itemGradient = itemGradient }
        if mergedWeightDecay { config.mergedWeightDecay = true }
        if let itemPerturbation { config.itemPerturbation = itemPerturbation }
        if freshItemMomentum { config.freshItemMomentum = true }
        if let simplexImagesPerPath { config.simplexImagesPerPath = simplexImagesPerPath }
        if let simplexDelay { config.simplexDelayEpochs = simplexDelay }
        if let codeBalance { config.codeBalance = codeBalance }
        if method == .fewShot { config = config.fewShot(edge: splitEdge ?? 0) }
        let runName = name ?? SupernetExperiment.runName(dataset: benchmark.rawValue, preset: preset, config: config)
        let snapshots = try parseEpochList(snapshotEpochs ?? "", budget: config.epochs)
        try paths.configureEngine()
        try reportingErrors {
            let store = try database.open()
            // The run (and its protocol check) before the data: a run recorded under other options fails at once.
            let experiment = try SupernetExperiment.open(store: store, name: runName, dataset: benchmark.rawValue, config: config,
                                                         checkpointDirectory: database.checkpointDirectory(paths.checkpoints), codeVersion: codeVersion())
            let oneShot = try warmupFrom.map {
                try SupernetExperiment.open(store: store, run: $0, checkpointDirectory: database.checkpointDirectory(paths.checkpoints))
            }
            let data: SupernetData
            do {
                data = try SupernetData(dataset: benchmark, dataDirectory: paths.data, splitsDirectory: try locateSplits(paths.splits))
            } catch {
                // Unreadable data before any epoch: a run opened only now is not left behind as `running`.
                try store.removeRunIfEmpty(id: experiment.run.id)
                throw error
            }
            try stoppingOnSignals { shouldStop in
                let trainer = try experiment.train(data: data, snapshotEpochs: snapshots, warmupFrom: oneShot, quiet: quiet, shouldStop: shouldStop)
                let position = trainer.batchInEpoch > 0 ? " and \(trainer.batchInEpoch) batches of the next" : ""
                print("run \(experiment.run.id) '\(runName)': trained \(trainer.epoch)/\(config.epochs) epochs\(position); checkpoint \(experiment.checkpointPath)")
                if !trainer.isFinished { throw WorkStopped(kept: "the exact position in the checkpoint \(experiment.checkpointPath)") }
            }
        }
    }
}

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Estimate paths with a trained supernet run (BN recalibration, fixed seeded validation subset).",
        discussion: "Estimates are written as they are made; running the same command again resumes where it stopped."
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var paths: SupernetDataOptions
    @Option(name: .customLong("run"), help: "The supernet run (id or name).") var runName: String
    @Option(help: "sample:N (N isomorphism classes, one representative each), all, non-isomorphic, or a file of architectures.")
    var archs = "sample:500"
    @Option(help: "Seed of sample:N and of the calibration/validation images.") var evalSeed: UInt64 = 0
    @Option(help: "Calibration batches of 64 training images (no augmentation).") var calibrationBatches = 10
    @Option(help: "Validation images per path.") var validationImages = 2000
    @Flag(help: "Normalise each validation batch of 250 by its own BatchNorm statistics instead of recalibrating.")
    var batchStatistics = false
    @Option(help: "Estimate with the checkpoint kept after this epoch (nb201 train --snapshot-epochs) instead of the final one.")
    var snapshot: Int?
    @Option(help: "I/N: estimate only shard I (0-based) of N of the selection (every N-th path), e.g. one per process or job.")
    var shard: String?
    @Flag(help: "No progress on stderr.") var quiet = false

    /// `--shard I/N` as (index, count).
    var shardPart: (index: Int, count: Int)? {
        get throws {
            guard let shard else { return nil }
            let parts = shard.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, (0..<n).contains(i) else {
                printError("--shard '\(shard)' must be I/N with 0 <= I < N, e.g. 0/4")
                throw ExitStatus.usage.code
            }
            return (i, n)
        }
    }

    func run() throws {
        let part = try shardPart
        try paths.configureEngine()
        try reportingErrors {
            let store = try database.open()
            let experiment = try SupernetExperiment.open(store: store, run: runName, checkpointDirectory: database.checkpointDirectory(paths.checkpoints))
            let benchmark = try parseSupernetDataset(experiment.run.dataset)
            let data = try SupernetData(dataset: benchmark, dataDirectory: paths.data, splitsDirectory: try locateSplits(paths.splits))
            let selected = try ArchitectureSelection(archs).resolve(in: store, seed: evalSeed)
            let mine = part.map { ArchitectureSelection.shard(selected, index: $0.index, count: $0.count) } ?? selected
            var evaluation = EvaluationProtocol()
            evaluation.calibrationBatches = calibrationBatches
            evaluation.validationImages = validationImages
            evaluation.seed = evalSeed
            if batchStatistics { evaluation.batchStatistics = true }
            try stoppingOnSignals { shouldStop in
                let now = try experiment.evaluate(mine, data: data, evaluation: evaluation, snapshotEpoch: snapshot, quiet: quiet,
                                                  shouldStop: shouldStop)
                // Finished once every path of the whole selection has its estimate (other shards may still be running).
                let estimated = Set(try store.estimates(run: experiment.run.id, estimator: SupernetExperiment.estimator(snapshotEpoch: nil)).map(\.arch))
                if snapshot == nil && selected.allSatisfy(estimated.contains) { try store.updateRun(id: experiment.run.id, status: .finished) }
                print("run \(experiment.run.id) '\(experiment.run.name)': \(mine.count) paths selected\(shard.map { " (shard \($0) of \(selected.count))" } ?? ""), \(now) estimated now; rank with: nb201 rank --run \(experiment.run.id) ...")
            }
        }
    }
}

/// "3,6,9" -> {3, 6, 9}; every epoch must lie in 1...budget.
func parseEpochList(_ text: String, budget: Int) throws -> Set<Int> {
    var epochs = Set<Int>()
    for item in text.split(separator: ",") {
        guard let e = Int(item.trimmingCharacters(in: .whitespaces)), (1...budget).contains(e) else {
            printError("--snapshot-epochs: '\(item)' is not an epoch in 1...\(budget)")
            throw ExitStatus.usage.code
        }
        epochs.insert(e)
    }
    return epochs
}

/// The datasets a supernet trains on (`BenchmarkDataset.searchDataset`: cifar10-valid names CIFAR-10's search split).
func parseSupernetDataset(_ name: String) throws -> BenchmarkDataset {
    try parseDataset(name).searchDataset
}

extension PathSampling: ExpressibleByArgument {}
extension ItemGradient: ExpressibleByArgument {}

/// How a supernet spends more weights than one-shot: a K-shot dictionary or few-shot sub-supernets.
enum SupernetMethod: String, ExpressibleByArgument, CaseIterable {
    case kShot = "k-shot"
    case fewShot = "few-shot"
}
