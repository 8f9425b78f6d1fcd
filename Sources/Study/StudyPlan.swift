import Experiments
import Foundation
import SearchSpace
import Store
import Supernet

/// One ground-truth column a study ranks against (200-epoch seed mean unless the plan says otherwise).
public struct GroundTruthColumn: Sendable, Codable, Equatable, CustomStringConvertible {
    public var dataset: String
    public var split: String

    public init(dataset: String, split: String) {
        self.dataset = dataset
        self.split = split
    }

    public var description: String { "\(dataset) \(split)" }
    /// File-name-safe form ("cifar10-valid_x-valid").
    public var slug: String { "\(dataset)_\(split)" }
}

/// One kind of supernet run of a study: K-shot (K = 1 is one-shot) or few-shot split on an edge (K = 5 sub-supernets).
public struct StudyArm: Sendable, Codable, Hashable {
    public var k: Int
    public var splitEdge: Int?

    public init(k: Int, splitEdge: Int? = nil) {
        self.k = k
        self.splitEdge = splitEdge
    }

    public static func fewShot(edge: Int) -> StudyArm { StudyArm(k: Operation.allCases.count, splitEdge: edge) }

    /// "K=2", or "few-shot e0": how tables and estimator names call it.
    public var label: String { splitEdge.map { "few-shot e\($0)" } ?? "K=\(k)" }
}

/// Everything the reference study (one-shot versus K-shot, KSHOT.md) does, fixed before it starts: which supernets
/// (K x seeds, one preset), which paths, how they are evaluated, which baselines, which ground truths.
public struct StudyPlan: Sendable, Codable, Equatable {
    /// cifar10, cifar100 or ImageNet16-120 (CIFAR-10 supernets learn from cifar10-valid's train half).
    public var dataset: BenchmarkDataset
    public var preset: String
    public var ks: [Int]
    public var seeds: [UInt64]
    /// The paths every supernet estimates (an ArchitectureSelection, seeded by `sampleSeed`).
    public var archs: String
    public var sampleSeed: UInt64
    public var evaluation: EvaluationProtocol
    /// Epochs after which the first seed's supernets keep a checkpoint, for Kendall tau over training time.
    public var snapshotEpochs: [Int]
    /// Paths the snapshots estimate: every (selection / snapshotPaths)-th of the sorted selection.
    public var snapshotPaths: Int
    /// The zero-cost proxies' network and batch (nil: no proxies).
    public var proxyShape: NetworkShape?
    public var proxyBatch: Int
    public var groundTruths: [GroundTruthColumn]
    public var hp: Int
    public var seedPolicy: String
    public var bootstrapResamples: Int
    public var permutations: Int
    /// The few-shot baseline's split edge: per seed a few-shot run, started from the seed's one-shot warm-up like the
    /// K-shot runs; nil: none (optional so that older plans decode and compare unchanged).
    public var fewShotEdge: Int?

    /// The defaults for `preset` on `dataset`: tiny (CI: K 1, 2; 2 seeds; 12 paths), small, medium and paper (K 1, 2, 4;
    /// 3 seeds; 500 paths; proxies on the benchmark's network; medium's snapshots on 200 paths and a few-shot arm split on
    /// edge 0).
    public static func standard(preset: String, dataset: BenchmarkDataset) throws -> StudyPlan {
        guard let budget = SupernetConfig.preset(preset, k: 1, seed: 0) else {
            throw StudyError.invalidPlan("unknown preset '\(preset)'; valid: \(SupernetConfig.presetNames.joined(separator: ", "))")
        }
        guard dataset != .cifar10Valid else {
            throw StudyError.invalidPlan("choose cifar10 (its supernets learn from cifar10-valid's train half), cifar100 or ImageNet16-120")
        }
        let truths: [GroundTruthColumn] = dataset == .cifar10
            ? [.init(dataset: "cifar10-valid", split: "x-valid"), .init(dataset: "cifar10", split: "ori-test")]
            : [.init(dataset: dataset.rawValue, split: "x-valid"), .init(dataset: dataset.rawValue, split: "x-test")]
        let e = budget.epochs
        let snapshots = Array(Set([e / 5, 2 * e / 5, 3 * e / 5, 4 * e / 5].filter { $0 >= 1 && $0 < e })).sorted()
        var plan = StudyPlan(dataset: dataset, preset: preset, ks: [1, 2, 4], seeds: [0, 1, 2], archs: "sample:500", sampleSeed: 0,
                             evaluation: EvaluationProtocol(), snapshotEpochs: snapshots, snapshotPaths: 100,
                             proxyShape: dataset.networkShape, proxyBatch: 64, groundTruths: truths, hp: 200, seedPolicy: "mean",
                             bootstrapResamples: 1000, permutations: 1000)
        if preset == "medium" {
            // The curve of tau over training is part of this preset's point: its snapshots are scored on more paths.
            plan.snapshotPaths = 200
            // The table compares K-shot with the other multi-supernet method; edge 0 (node 0 -> 1) feeds every later node.
            plan.fewShotEdge = 0
        }
        if preset == "tiny" {
            plan.ks = [1, 2]
            plan.seeds = [0, 1]
            plan.archs = "sample:12"
            plan.evaluation.calibrationBatches = 2
            plan.evaluation.validationImages = 128
            plan.snapshotPaths = 6
            plan.proxyShape = NetworkShape(channels: 4, cellsPerStage: 1, classes: dataset.classes, resolution: dataset.resolution)
            plan.proxyBatch = 16
            plan.bootstrapResamples = 200
            plan.permutations = 199
        }
        return plan
    }

    /// The supernet configuration of run (k, seed).
    public func config(k: Int, seed: UInt64) -> SupernetConfig {
        SupernetConfig.preset(preset, k: k, seed: seed, classes: dataset.classes, resolution: dataset.resolution)!
    }

    /// The run's name, the one `nb201 train` gives the same preset, K and seed (so either can resume the other).
    public func runName(k: Int, seed: UInt64) -> String { runName(StudyArm(k: k), seed: seed) }

    /// The runs of one seed: every K, then few-shot.
    public var arms: [StudyArm] { ks.map { StudyArm(k: $0) } + (fewShotEdge.map { [.fewShot(edge: $0)] } ?? []) }

    /// The supernet configuration of an arm's run.
    public func config(_ arm: StudyArm, seed: UInt64) -> SupernetConfig {
        arm.splitEdge.map { config(k: 1, seed: seed).fewShot(edge: $0) } ?? config(k: arm.k, seed: seed)
    }

    /// An arm's run name, the one `nb201 train` gives it (`--method few-shot --split-edge E` for few-shot).
    public func runName(_ arm: StudyArm, seed: UInt64) -> String {
        SupernetExperiment.runName(dataset: dataset.rawValue, preset: preset, config: config(arm, seed: seed))
    }

    public var snapshotSeed: UInt64? { seeds.first }

    /// The epochs after which an arm's run keeps a checkpoint for tau over training time: the first seed's K-shot runs.
    public func snapshotEpochs(_ arm: StudyArm, seed: UInt64) -> [Int] {
        seed == snapshotSeed && arm.splitEdge == nil ? snapshotEpochs : []
    }

    /// The checkpoints the warm-up job of `seed` keeps: the warm-up's last epoch (every K > 1 run starts there) and, for the
    /// snapshot seed, the snapshot epochs inside the warm-up (the one-shot run resumes after them, so they are saved now or never).
    public func warmupSnapshotEpochs(seed: UInt64) -> Set<Int> {
        let warmup = config(k: 1, seed: seed).warmupEpochs
        return Set([warmup] + (seed == snapshotSeed ? snapshotEpochs.filter { $0 < warmup } : []))
    }

    /// The paths every supernet estimates, resolved in `store`.
    public func selection(in store: BenchmarkStore) throws -> [Int] {
        try ArchitectureSelection(archs).resolve(in: store, seed: sampleSeed)
    }

    /// The snapshot paths: evenly spaced through the sorted selection.
    public func snapshotSubset(of selection: [Int]) -> [Int] {
        let sorted = selection.sorted()
        guard snapshotPaths < sorted.count else { return sorted }
        let step = sorted.count / max(snapshotPaths, 1)
        return (0..<snapshotPaths).map { sorted[$0 * step] }
    }

    /// Name of the run holding the cost-model baselines (params, FLOPs) on the selection.
    public var baselineRunName: String { "baselines-\(dataset.rawValue)-\(archs.replacingOccurrences(of: "/", with: "_"))-s\(sampleSeed)" }

    public func validate() throws(StudyError) {
        guard !ks.isEmpty, ks.allSatisfy({ $0 >= 1 }) else { throw .invalidPlan("K values must be at least 1: \(ks)") }
        guard ks.contains(1) else { throw .invalidPlan("the study compares against one-shot: include K = 1 in \(ks)") }
        guard !seeds.isEmpty, Set(seeds).count == seeds.count else { throw .invalidPlan("seeds must be distinct and not empty: \(seeds)") }
        guard !groundTruths.isEmpty else { throw .invalidPlan("no ground truth to rank against") }
        guard fewShotEdge.map({ (0..<Cell.edgeCount).contains($0) }) ?? true else {
            throw .invalidPlan("the few-shot split edge \(fewShotEdge ?? 0) must lie in 0..<\(Cell.edgeCount)")
        }
        let epochs = config(k: 1, seed: 0).epochs
        guard snapshotEpochs.allSatisfy({ (1...epochs).contains($0) }) else {
            throw .invalidPlan("snapshot epochs \(snapshotEpochs) must lie in 1...\(epochs)")
        }
    }
}

/// Why a study cannot go on, said so the user can act.
public enum StudyError: Error, CustomStringConvertible, Equatable {
    case invalidPlan(String)
    case missingGroundTruth(String)
    case failedJobs([String])

    public var description: String {
        switch self {
        case let .invalidPlan(why): "invalid study plan: \(why)"
        case let .missingGroundTruth(why): why
        case let .failedJobs(list): "\(list.count) study job(s) failed (finished work is kept; run the same command again to retry):\n  " + list.joined(separator: "\n  ")
        }
    }
}
