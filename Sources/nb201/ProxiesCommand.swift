import ArgumentParser
import Experiments
import Foundation
import SearchSpace
import Store

struct ProxiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxies",
        abstract: "Score architectures with zero-cost proxies (synflow, snip, grad_norm, jacob_cov, nwot) and store them as a run.",
        discussion: "Each architecture: an untrained network (seeded PyTorch-default init), one seeded batch of training images. "
            + "Estimates are written per architecture; rerunning the same command resumes the run. Definitions: data/PROXIES.md."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "cifar10-valid, cifar10, cifar100 or ImageNet16-120.") var dataset: BenchmarkDataset
    @Option(help: "Directory holding the dataset's files (see data/DATASETS.md).") var data: String
    @Option(help: "Directory of the NB201 split files (default: $NB201_SPLITS, else ../shared/data/splits; see README).") var splits: String?
    @Option(help: "sample:N (N isomorphism classes, one representative each, seeded by --seed), all, non-isomorphic, or a file of benchmark indices, arch strings or op codes, one a line.")
    var archs: String
    @Option(name: .customLong("C"), help: "Channels of the first stage.") var channels = 16
    @Option(name: .customLong("N"), help: "Cells per stage.") var cells = 5
    @Option(help: "Images in the batch.") var batch = 64
    @Option(help: "Seed of the weights, the batch and sample:N.") var seed: UInt64 = 0
    @Option(help: "Run name (default: derived from the protocol).") var name: String?
    @OptionGroup var engine: EngineOptions
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        let benchmarkDataset = dataset
        try requireAtLeast(1, ["--batch": batch, "--C": channels, "--N": cells])
        try engine.configure()
        try reportingErrors {
            let store = try database.open()
            let indices = try ArchitectureSelection(archs).resolve(in: store, seed: seed)
            var shape = benchmarkDataset.networkShape
            shape.channels = channels
            shape.cellsPerStage = cells
            let experiment = try ProxyExperiment.open(store: store, dataset: benchmarkDataset, archs: archs, shape: shape, batch: batch,
                                                      seed: seed, name: name, codeVersion: codeVersion())
            let now = try stoppingOnSignals { shouldStop in
                try experiment.score(indices, dataDirectory: data, splitsDirectory: try locateSplits(splits), quiet: quiet, shouldStop: shouldStop)
            }
            print("run \(experiment.run.id) '\(experiment.run.name)': \(indices.count) architectures scored (\(now) now, \(indices.count - now) before)")
        }
    }
}
