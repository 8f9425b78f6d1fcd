import Support
import Datasets
import Engine
import Foundation
import Proxies
import SearchSpace
import Store

/// Zero-cost proxy scores of a set of architectures, recorded as a run whose estimators are the proxies
/// (data/PROXIES.md). Each architecture: an untrained network with seeded PyTorch-default weights and one seeded
/// batch of training images. Scores are written per architecture, so a rerun resumes.
public struct ProxyExperiment {
    /// Every choice that fixes the scores; a resumed run must match it.
    public struct ProxyProtocol: Codable, Equatable, Sendable {
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

        /// `archs` is the selection's text (it names the run; the indices are resolved by the caller).
        public init(dataset: BenchmarkDataset, archs: String, shape: NetworkShape, batch: Int, seed: UInt64) {
            proxies = Proxy.allCases.map(\.rawValue)
            self.dataset = dataset.rawValue
            imagesFrom = "train split, Subset.sample(batch, seed)"
            self.batch = batch
            self.archs = archs
            channels = shape.channels
            cellsPerStage = shape.cellsPerStage
            self.seed = seed
            weightInit = "pytorch-default, SeededRandom(seed).fork(init)"
            batchNorm = "training mode (batch statistics)"
            synflow = "BN-free copy, |weights|, one all-ones image, float32 with per-block rescaling, score float64"
            scoredParameters = "Conv2d and Linear weights (not BN, not the classifier bias)"
        }

        /// The name a run gets when the user gives none.
        public var defaultRunName: String {
            "proxies-\(dataset)-\(archs.replacingOccurrences(of: "/", with: "_"))-C\(channels)N\(cellsPerStage)-b\(batch)-s\(seed)"
        }
    }

    public let store: BenchmarkStore
    public let run: RunRecord
    public let proxyProtocol: ProxyProtocol
    let dataset: BenchmarkDataset
    let shape: NetworkShape

    /// Opens the run `name` (default: from the protocol), creating it when new; an existing run must be a proxies
    /// run with the same protocol.
    public static func open(store: BenchmarkStore, dataset: BenchmarkDataset, archs: String, shape: NetworkShape, batch: Int,
                            seed: UInt64, name: String? = nil, codeVersion: String) throws -> ProxyExperiment {
        guard batch >= 1, shape.channels >= 1, shape.cellsPerStage >= 1 else {
            throw StoreError.invalidValue("proxies need a batch, channels and cells per stage of at least 1; got batch \(batch), C \(shape.channels), N \(shape.cellsPerStage)")
        }
        let proto = ProxyProtocol(dataset: dataset, archs: archs, shape: shape, batch: batch, seed: seed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let protocolJSON = String(decoding: try encoder.encode(proto), as: UTF8.self)
        let runName = name ?? proto.defaultRunName
        let run = try store.openRun(kind: .proxies, name: runName, dataset: dataset.rawValue, seed: seed,
                                    protocolJSON: protocolJSON, codeVersion: codeVersion)
        return ProxyExperiment(store: store, run: run, proxyProtocol: proto, dataset: dataset, shape: shape)
    }

    /// Scores every architecture of `indices` not scored yet with images from `dataDirectory`, marks the run
    /// finished and returns how many were scored now. `shouldStop` is asked before every architecture: when it says yes
    /// `WorkStopped` is thrown (every score made so far is already written) and the run stays unfinished.
    @discardableResult
    public func score(_ indices: [Int], dataDirectory: String, splitsDirectory: String, quiet: Bool = false,
                      shouldStop: () -> Bool = { false }) throws -> Int {
        let done = Set(try store.estimates(run: run.id).map(\.arch))
        let todo = indices.filter { !done.contains($0) }
        if !todo.isEmpty {
            let images: Subset
            do {
                images = try BenchmarkData.load(dataset, dataDirectory: dataDirectory, splitsDirectory: splitsDirectory).subset(.train)
            } catch {
                // Unreadable images before any score: the run is not left behind as `running`.
                try store.removeRunIfEmpty(id: run.id)
                throw error
            }
            let batch = ProxyBatch.sample(images, dataset: dataset, count: proxyProtocol.batch, seed: proxyProtocol.seed)
            let meter = ProgressMeter(label: "proxies \(run.name)", total: todo.count, unit: "archs", quiet: quiet)
            if !quiet && !done.isEmpty { FileHandle.standardError.write(Data("resuming: \(done.count) architectures already scored\n".utf8)) }
            for (n, index) in todo.enumerated() {
                if shouldStop() {
                    throw WorkStopped(kept: "\(indices.count - todo.count + n) of \(indices.count) architectures scored in run '\(run.name)'")
                }
                let started = Date()
                let scores = proxyScores(cell: try store.cell(at: index), shape: shape, batch: batch, seed: proxyProtocol.seed)
                let seconds = Date().timeIntervalSince(started)
                // An undefined score (jacob_cov of a cell without an input-output path, log 0) is left out.
                let estimates = Proxy.allCases.compactMap { p in
                    scores[p].flatMap { $0.isFinite ? Estimate(arch: index, estimator: p.rawValue, score: $0, seconds: seconds) : nil }
                }
                try store.addEstimates(run: run.id, estimates)
                try store.updateRun(id: run.id, addSeconds: seconds, addImages: proxyProtocol.batch)
                meter.advance(note: String(format: "%.2f s/arch", seconds))
            }
        }
        try store.updateRun(id: run.id, status: .finished)
        return todo.count
    }
}
