import ArgumentParser
import Datasets
import Engine
import Foundation
import Proxies
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
    @Option(help: "cifar10-valid, cifar10, cifar100 or ImageNet16-120.") var dataset: String
    @Option(help: "Directory holding the dataset's files (see data/DATASETS.md).") var data: String
    @Option(help: "Directory of the NB201 split files.") var splits = "../shared/data/splits"
    @Option(help: "sample:N (N isomorphism classes, one representative each, seeded by --seed), all, non-isomorphic, or a file of benchmark indices, arch strings or op codes, one a line.")
    var archs: String
    @Option(name: .customLong("C"), help: "Channels of the first stage.") var channels = 16
    @Option(name: .customLong("N"), help: "Cells per stage.") var cells = 5
    @Option(help: "Images in the batch.") var batch = 64
    @Option(help: "Seed of the weights, the batch and sample:N.") var seed: UInt64 = 0
    @Option(help: "Run name (default: derived from the protocol).") var name: String?
    @Flag(help: "No progress on stderr.") var quiet = false

    /// Every choice that fixes the scores; a resumed run must match it.
    struct ProxyProtocol: Codable, Equatable {
        var proxies: [String]
        var dataset: String
        var imagesFrom: String
        var batch: Int
        var archs: String
        var channels: Int
        var cellsPerStage: Int
        var seed: UInt64
        var weightInit: String
        var batchNorm: String
        var synflow: String
        var scoredParameters: String
    }

    func run() throws {
        let benchmarkDataset = try parseDataset(dataset)
        try reportingErrors {
            let store = try database.open()
            let indices = try ArchitectureSelection(archs).resolve(in: store, seed: seed)
            let proto = ProxyProtocol(
                proxies: Proxy.allCases.map(\.rawValue), dataset: benchmarkDataset.rawValue, imagesFrom: "train split, Subset.sample(batch, seed)",
                batch: batch, archs: archs, channels: channels, cellsPerStage: cells, seed: seed, weightInit: "pytorch-default, SeededRandom(seed).fork(init)",
                batchNorm: "training mode (batch statistics)", synflow: "BN-free copy, |weights|, one all-ones image, float32 with per-block rescaling, score float64",
                scoredParameters: "Conv2d and Linear weights (not BN, not the classifier bias)")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let protocolJSON = String(decoding: try encoder.encode(proto), as: UTF8.self)
            let runName = name ?? "proxies-\(benchmarkDataset.rawValue)-\(archs.replacingOccurrences(of: "/", with: "_"))-C\(channels)N\(cells)-b\(batch)-s\(seed)"
            let run: RunRecord
            if let existing = try? store.run(named: runName) {
                guard existing.kind == "proxies", existing.protocolJSON == protocolJSON else {
                    printError("run '\(runName)' exists with another kind or protocol; pass --name to start a new one")
                    throw ExitCode(2)
                }
                run = existing
            } else {
                run = try store.createRun(kind: "proxies", name: runName, dataset: benchmarkDataset.rawValue, seed: Int(seed),
                                          protocolJSON: protocolJSON, codeVersion: codeVersion())
            }
            let done = Set(try store.estimates(run: run.id).map(\.arch))
            let todo = indices.filter { !done.contains($0) }
            let images = try BenchmarkData.load(benchmarkDataset, dataDirectory: data, splitsDirectory: splits).subset(.train)
            let proxyBatch = ProxyBatch.sample(images, dataset: benchmarkDataset, count: batch, seed: seed)
            var shape = benchmarkDataset.networkShape
            shape.channels = channels
            shape.cellsPerStage = cells
            let meter = ProgressMeter(label: "proxies \(runName)", total: todo.count, unit: "archs", quiet: quiet)
            if !quiet && !done.isEmpty { FileHandle.standardError.write(Data("resuming: \(done.count) architectures already scored\n".utf8)) }
            for index in todo {
                let started = Date()
                let scores = proxyScores(cell: try store.cell(at: index), shape: shape, batch: proxyBatch, seed: seed)
                let seconds = Date().timeIntervalSince(started)
                // An undefined score (jacob_cov of a cell without an input-output path, log 0) is left out.
                let estimates = Proxy.allCases.compactMap { p in
                    scores[p].flatMap { $0.isFinite ? Estimate(arch: index, estimator: p.rawValue, score: $0, seconds: seconds) : nil }
                }
                try store.addEstimates(run: run.id, estimates)
                try store.updateRun(id: run.id, addSeconds: seconds, addImages: batch)
                meter.advance(note: String(format: "%.2f s/arch", seconds))
            }
            try store.updateRun(id: run.id, status: "finished")
            print("run \(run.id) '\(runName)': \(indices.count) architectures scored (\(todo.count) now, \(done.count) before)")
        }
    }
}
