import ArgumentParser
import Experiments
import SearchSpace
import Store

struct ReducedTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduced-train",
        abstract: "Estimate architectures by short stand-alone training at a reduced shape (EcoNAS-style); resumable.",
        discussion: """
            Each architecture is trained stand-alone with the NB201 recipe on the data a supernet learns from (CIFAR-10: \
            cifar10-valid's 25k train half) and scored by its top-1 accuracy on a seeded subset of the validation split \
            (x-valid). The run's estimates (estimator reduced-training) rank with nb201 rank --run NAME. It is the \
            ceiling a supernet of the same shape and budget can hope for.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var paths: SupernetDataOptions
    @Option(help: "cifar10, cifar100 or ImageNet16-120.") var dataset: BenchmarkDataset
    @Option(help: "sample:N (N isomorphism classes, one representative each), all, non-isomorphic, or a file of architectures.")
    var archs: String
    @Option(help: "Seed of sample:N.") var evalSeed: UInt64 = 0
    @Option(name: .customLong("C"), help: "Channels of the first stage.") var channels = 8
    @Option(name: .customLong("N"), help: "Cells per stage.") var cells = 1
    @Option(help: "Epochs of the training split per architecture.") var epochs = 3
    @Option(help: "Batch size.") var batch = 64
    @Option(help: "Initial learning rate (cosine-annealed to 0).") var lr: Float = 0.05
    @Option(help: "Validation images each architecture is scored on.") var validationImages = 5000
    @Option(help: "Train on a seeded subset of this many images of the training split (default: all).") var trainImages: Int?
    @Option(help: "Seed of initialisation, shuffling, augmentation and the validation subset.") var seed: UInt64 = 0
    @Option(help: "Run name (default: derived from the protocol).") var name: String?
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        let benchmark = dataset.searchDataset
        for (value, option) in [(channels, "--C"), (cells, "--N"), (epochs, "--epochs"), (batch, "--batch"), (validationImages, "--validation-images"), (trainImages ?? 1, "--train-images")]
        where value < 1 {
            printError("\(option) must be at least 1, got \(value)")
            throw ExitStatus.usage.code
        }
        if let trainImages, trainImages < batch {
            printError("--train-images \(trainImages) is smaller than one batch of \(batch)")
            throw ExitStatus.usage.code
        }
        try paths.configureEngine()
        try reportingErrors {
            let store = try database.open()
            let shape = NetworkShape(channels: channels, cellsPerStage: cells, classes: benchmark.classes, resolution: benchmark.resolution)
            let reduced = ReducedTrainingExperiment.ReducedProtocol(dataset: benchmark, shape: shape, epochs: epochs, batchSize: batch,
                                                                    learningRate: lr, validationImages: validationImages, trainImages: trainImages,
                                                                    seed: seed)
            let experiment = try ReducedTrainingExperiment.open(store: store, protocol: reduced, name: name,
                                                                checkpointDirectory: database.checkpointDirectory(paths.checkpoints),
                                                                codeVersion: codeVersion())
            let selected = try ArchitectureSelection(archs).resolve(in: store, seed: evalSeed)
            let now = try stoppingOnSignals { shouldStop in
                try experiment.estimate(selected, dataDirectory: paths.data, splitsDirectory: try locateSplits(paths.splits), quiet: quiet,
                                        shouldStop: shouldStop)
            }
            print("run \(experiment.run.id) '\(experiment.run.name)': \(selected.count) architectures selected, \(now) trained now; rank with: nb201 rank --run \(experiment.run.id) ...")
        }
    }
}
