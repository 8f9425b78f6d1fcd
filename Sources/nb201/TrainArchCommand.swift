import ArgumentParser
import Datasets
import Experiments
import Foundation
import SearchSpace
import Store
import Reports
import Training

struct TrainArchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-arch",
        abstract: "Train one architecture stand-alone with the NB201 recipe and record the run in the database."
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var engine: EngineOptions
    @Argument(help: "Benchmark index (needs the benchmark imported), arch string, or 6 op codes.") var arch: String
    @Option(help: "cifar10-valid, cifar10, cifar100 or ImageNet16-120.") var dataset: BenchmarkDataset
    @Option(help: "Directory holding the dataset's files (see data/DATASETS.md).") var data: String
    @Option(help: "Directory of the NB201 split files (default: $NB201_SPLITS, else ../shared/data/splits; see README).") var splits: String?
    @Option(help: "Epochs (the benchmark's budgets are 12 and 200).") var epochs: Int
    @Option(name: .customLong("C"), help: "Channels of the first stage.") var channels = 16
    @Option(name: .customLong("N"), help: "Cells per stage.") var cells = 5
    @Option(help: "Batch size.") var batch = 256
    @Option(help: "Initial learning rate (cosine-annealed to 0).") var lr: Float = 0.1
    @Option(help: "Seed of initialisation, shuffling and augmentation.") var seed: UInt64 = 0
    @Option(help: "Train on a seeded subset of this many images.") var trainLimit: Int?
    @Option(help: "Evaluate on a seeded subset of this many images per split.") var evalLimit: Int?
    @Option(help: "Run name (default: derived from the protocol).") var name: String?
    @Option(help: "Directory for the checkpoint written after every epoch (default: <db>.checkpoints); running the same command again resumes from it.")
    var checkpoints: String?
    @Flag(help: "No progress on stderr.") var quiet = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let benchmarkDataset = dataset
        try engine.configure()
        try reportingErrors {
            let store = try database.open()
            let cell: Cell
            if let index = Int(arch), arch.count != 6 {
                cell = try store.cell(at: try store.resolveArchitecture(String(index)))
            } else {
                cell = try parseCellLiteral(arch)
            }
            let config = StandaloneConfig(arch: cell.archString, dataset: benchmarkDataset.rawValue, epochs: epochs, channels: channels,
                                          cellsPerStage: cells, batchSize: batch, learningRate: lr, seed: seed, trainLimit: trainLimit,
                                          evalLimit: evalLimit)
            try config.validate() // before any data is read
            let data = try BenchmarkData.load(benchmarkDataset, dataDirectory: self.data, splitsDirectory: try locateSplits(splits))
            // A run of this name and protocol that did not finish is resumed from its checkpoint.
            let experiment = try StandaloneExperiment.open(store: store, config: config, name: name,
                                                           checkpointDirectory: database.checkpointDirectory(checkpoints), codeVersion: codeVersion())
            let result = try stoppingOnSignals { shouldStop in try experiment.train(data: data, quiet: quiet, shouldStop: shouldStop) }
            let run = experiment.run, runName = run.name
            if json { return try printJSON(result.scores) }
            print("run \(run.id) '\(runName)': \(result.parameters) parameters, \(epochs) epochs")
            for s in result.scores { print(String(format: "%@  %@ accuracy %.2f%%  loss %.4f  (%d images)", benchmarkDataset.rawValue, s.split, s.accuracy, s.loss, s.images)) }
        }
    }
}

/// The git commit of the sources this binary was built from: the repository holding the executable, else the
/// checkout it was compiled in (a copied binary keeps that path), else the working directory's, or "unknown".
func codeVersion() -> String {
    let executableDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return gitCommit(at: executableDirectory)
        ?? gitCommit(at: URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        ?? gitCommit(at: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) ?? "unknown"
}
