import Experiments
import Foundation
import Ranking
import Reports
import SearchSpace
import Store
import Supernet

/// A supernet run of the study and what it cost.
public struct StudyRunRecord: Sendable, Codable, Equatable {
    public var name: String
    public var id: Int?
    public var k: Int
    /// Few-shot: the split edge (K = 5 sub-supernets); nil for K-shot.
    public var splitEdge: Int? = nil
    public var seed: UInt64
    public var epochsTrained: Int
    public var epochs: Int
    public var pathsEstimated: Int
    public var trainSeconds: Double
    public var evaluationSeconds: Double
    public var imagesSeen: Int
    /// Trained and every selected path estimated: only complete runs are ranked.
    public var complete: Bool
    /// K > 1: the simplex codes of the estimated paths, summarised (`codes.collapsed` flags a dictionary acting as one
    /// supernet).
    public var codes: CodeSummary? = nil
    /// The run log, epoch by epoch: training accuracy and (K > 1 after the warm-up) the codes of the probe paths.
    public var epochLog: [EpochDiagnostics] = []

    /// Training accuracy (percent) of the last epoch logged.
    public var finalTrainAccuracy: Double? { epochLog.last?.trainAccuracy }
    public var collapsed: Bool { codes?.collapsed ?? false }
    public var arm: StudyArm { StudyArm(k: k, splitEdge: splitEdge) }
    /// The run's estimator in the ranking tables ("K=2 seed 1"): the one name its rows are found by.
    public var estimatorName: String { Self.estimatorName(arm, seed: seed) }
    public static func estimatorName(_ arm: StudyArm, seed: UInt64) -> String { "\(arm.label) seed \(seed)" }
}

/// One epoch of a run's log as the report shows it.
public struct EpochDiagnostics: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainAccuracy: Double?
    public var codes: CodeSummary?
    /// Wall seconds of the epoch; nil for a warm-up epoch shared from the one-shot run (its cost is that run's).
    public var seconds: Double? = nil
}

/// Kendall tau-b of one K (or few-shot) over the seeds against one ground truth.
public struct KSummary: Sendable, Codable, Equatable {
    public var k: Int
    /// Few-shot: the split edge; nil for K-shot.
    public var splitEdge: Int? = nil
    public var truth: String
    public var taus: [Double]
    /// Whether the run of each tau collapsed onto one dictionary item (the report marks them).
    public var collapsed: [Bool]
    public var mean: Double
    public var standardDeviation: Double?

    public var arm: StudyArm { StudyArm(k: k, splitEdge: splitEdge) }
}

/// A paired comparison (mean over seeds of tau(first) - tau(second) on the same paths).
public struct PairedResult: Sendable, Codable, Equatable {
    public var first: String
    public var second: String
    public var truth: String
    public var seeds: [UInt64]
    public var tauFirst: Double
    public var tauSecond: Double
    public var difference: Double
    public var lower: Double
    public var upper: Double
    public var pValue: Double
    /// tau(first) - tau(second) of each seed alone: the interval above covers the paths' sampling, this the seeds'.
    public var perSeed: [Double]

    /// The sign of the difference holds in every seed and the paired interval excludes zero.
    public var consistent: Bool {
        (lower > 0 && perSeed.allSatisfy { $0 > 0 }) || (upper < 0 && perSeed.allSatisfy { $0 < 0 })
    }
}

/// Kendall tau-b of the first seed's supernet with the checkpoint after `epoch`, on the snapshot paths.
public struct SnapshotPoint: Sendable, Codable, Equatable {
    public var k: Int
    public var epoch: Int
    public var truth: String
    public var tau: Double
    public var paths: Int
    /// Wall hours of training up to the epoch (the run's epoch log): the budget the point cost.
    public var trainingHours: Double?
}

/// Kendall tau-b between a score and how many edges of the cell carry each operation: what a ranking rewards.
public struct OperationBias: Sendable, Codable, Equatable {
    /// "K=2" or "few-shot e0" (mean over seeds) or "truth: <column>".
    public var estimator: String
    /// Operation name -> tau-b between its count and the score, over the selection.
    public var tau: [String: Double]
    /// The ground truth's row (what the rankings should reward), not an estimator's.
    public var isTruth = false
}

/// Everything the study's report shows, computed from the database.
public struct StudyResults: Sendable, Codable {
    public var plan: StudyPlan
    public var groundTruths: [GroundTruthColumn]
    /// The paths every supernet estimated, in index order.
    public var selection: [Int]
    public var selectionCount: Int { selection.count }
    public var runs: [StudyRunRecord]
    /// Per ground truth (its slug): one row per complete supernet run, then the baselines and proxies.
    public var rows: [String: [RankingRow]]
    public var summaries: [KSummary]
    public var paired: [PairedResult]
    public var snapshots: [SnapshotPoint]
    /// What the supernets (per K, mean over seeds) and each ground truth reward, op by op.
    public var operationBias: [OperationBias]
    /// Mean multiply-accumulates per image of the selection's cells for the study's supernet shape and for the
    /// benchmark's network (C=16, N=5), to scale the measured speed to the published budget.
    public var studyFlopsPerImage: Double
    public var benchmarkFlopsPerImage: Double
    public var notes: [String]

    /// Gathers the runs and ranks every complete one (and the baselines) against each ground truth present.
    public static func compute(plan: StudyPlan, store: BenchmarkStore, groundTruths: [GroundTruthColumn],
                               notes: [String] = []) throws -> StudyResults {
        let selection = try plan.selection(in: store)
        let selected = Set(selection)
        var notes = notes
        var runs: [StudyRunRecord] = []
        var runScores: [String: EstimatorScores] = [:]
        var snapshotScores: [String: [Int: EstimatorScores]] = [:]
        /// Training hours up to each epoch of the snapshot runs.
        var hoursAt: [String: [Int: Double]] = [:]
        for seed in plan.seeds {
            /// The one-shot run's seconds per epoch: the cost of the warm-up epochs a K > 1 run shares (logged there without seconds).
            var oneShotSeconds: [Int: Double] = [:]
            for arm in plan.arms {
                let name = plan.runName(arm, seed: seed)
                let config = plan.config(arm, seed: seed)
                guard let run = try? store.run(named: name) else {
                    runs.append(StudyRunRecord(name: name, k: arm.k, splitEdge: arm.splitEdge, seed: seed, epochsTrained: 0, epochs: config.epochs,
                                               pathsEstimated: 0, trainSeconds: 0, evaluationSeconds: 0, imagesSeen: 0, complete: false))
                    continue
                }
                let epochs = try store.epochs(run: run.id)
                let estimates = try store.estimates(run: run.id, estimator: "supernet").filter { selected.contains($0.arch) }
                var record = StudyRunRecord(
                    name: name, id: run.id, k: arm.k, splitEdge: arm.splitEdge, seed: seed, epochsTrained: epochs.count, epochs: config.epochs,
                    pathsEstimated: estimates.count, trainSeconds: epochs.compactMap(\.seconds).reduce(0, +),
                    evaluationSeconds: estimates.compactMap(\.seconds).reduce(0, +), imagesSeen: run.imagesSeen,
                    complete: epochs.count >= config.epochs && estimates.count == selection.count)
                // Few-shot codes are one-hot by construction: nothing to summarise.
                if arm.k > 1 && arm.splitEdge == nil { record.codes = codeSummary(estimates) }
                record.epochLog = epochs.map { e in
                    let metrics = (try? JSONDecoder().decode([String: Double].self, from: Data(e.metricsJSON.utf8))) ?? [:]
                    return EpochDiagnostics(epoch: e.epoch + 1, trainAccuracy: e.trainAccuracy, codes: CodeSummary(metrics: metrics), seconds: e.seconds)
                }
                if arm == StudyArm(k: 1) {
                    oneShotSeconds = Dictionary(epochs.compactMap { e in e.seconds.map { (e.epoch, $0) } }, uniquingKeysWith: { a, _ in a })
                }
                runs.append(record)
                if record.complete {
                    runScores[name] = EstimatorScores(name: StudyRunRecord.estimatorName(arm, seed: seed), source: "run \(run.id) \(name)",
                                                      scores: Dictionary(uniqueKeysWithValues: estimates.map { ($0.arch, $0.score) }))
                } else {
                    notes.append("\(name) is not complete (\(epochs.count)/\(config.epochs) epochs, \(estimates.count)/\(selection.count) paths) and is left out")
                }
                if seed == plan.snapshotSeed && arm.splitEdge == nil {
                    var seconds = 0.0
                    for e in epochs.sorted(by: { $0.epoch < $1.epoch }) {
                        seconds += e.seconds ?? oneShotSeconds[e.epoch] ?? 0
                        hoursAt[name, default: [:]][e.epoch + 1] = seconds / 3600
                    }
                    for epoch in plan.snapshotEpochs {
                        let s = try store.estimates(run: run.id, estimator: SupernetExperiment.estimator(snapshotEpoch: epoch))
                        if !s.isEmpty {
                            snapshotScores[name, default: [:]][epoch] = EstimatorScores(
                                name: "\(arm.label) epoch \(epoch)", source: "run \(run.id)", scores: Dictionary(uniqueKeysWithValues: s.map { ($0.arch, $0.score) }))
                        }
                    }
                }
            }
        }
        let baselines = try baselineScores(plan: plan, store: store, selected: selected).map(\.scores)
        if baselines.isEmpty { notes.append("no baselines recorded yet (params, FLOPs, proxies)") }
        let isoClass = try store.isomorphismClasses()

        var rows: [String: [RankingRow]] = [:], summaries: [KSummary] = [], paired: [PairedResult] = [], snapshots: [SnapshotPoint] = []
        let topK = max(1, min(10, selection.count / 5))
        for column in groundTruths {
            let table = try store.groundTruth(column, plan: plan)
            let proto = RankingProtocol(dataset: table.dataset, split: table.split, hp: table.hp, seedPolicy: table.seed,
                                        subset: "the study's paths (\(plan.archs), seed \(plan.sampleSeed))", topK: [topK],
                                        bootstrapResamples: plan.bootstrapResamples, bootstrapSeed: 0, level: 0.95)
            let study = GroundTruthRanking(truth: Dictionary(uniqueKeysWithValues: table.rows.map { ($0.index, $0.accuracy) }),
                                     isoClass: isoClass, subset: .all, rankingProtocol: proto)
            // An estimator that cannot be ranked (e.g. every path scored the same) is named in the notes, not fatal.
            func ranked(_ scores: EstimatorScores) -> RankingRow? {
                do { return try study.row(scores) } catch {
                    notes.append("\(scores.name) is not ranked against \(column): \(error)")
                    return nil
                }
            }
            var tauOf: [String: Double] = [:], rankedScores: [String: EstimatorScores] = [:]
            var columnRows: [RankingRow] = []
            for run in runs where run.complete {
                guard let row = ranked(runScores[run.name]!) else { continue }
                tauOf[run.name] = row.metric("kendall_tau_b")!.value
                rankedScores[run.name] = runScores[run.name]
                columnRows.append(row)
            }
            rows[column.slug] = columnRows + baselines.compactMap(ranked)
            for arm in plan.arms {
                let ranked = runs.filter { $0.arm == arm && tauOf[$0.name] != nil }
                let taus = ranked.map { tauOf[$0.name]! }
                guard !taus.isEmpty else { continue }
                let mean = taus.reduce(0, +) / Double(taus.count)
                let sd = taus.count > 1 ? (taus.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(taus.count - 1)).squareRoot() : nil
                summaries.append(KSummary(k: arm.k, splitEdge: arm.splitEdge, truth: column.description, taus: taus, collapsed: ranked.map(\.collapsed), mean: mean,
                                          standardDeviation: sd))
            }
            func compare(_ first: String, _ second: String, _ pairs: [(UInt64, EstimatorScores, EstimatorScores)]) throws {
                guard !pairs.isEmpty else { return }
                let c = try study.compare(pairs.map { ($0.1, $0.2) }, resamples: plan.bootstrapResamples, permutations: plan.permutations)
                func tau(_ e: EstimatorScores) throws -> Double {
                    let (p, t, _) = study.pairs(e)
                    return try kendallTau(p, t, variant: .b).statistic
                }
                let perSeed = try pairs.map { try tau($0.1) - tau($0.2) }
                paired.append(PairedResult(first: first, second: second, truth: column.description, seeds: pairs.map(\.0),
                                           tauFirst: c.tauFirst, tauSecond: c.tauSecond, difference: c.difference.estimate,
                                           lower: c.difference.lower, upper: c.difference.upper, pValue: c.permutationPValue,
                                           perSeed: perSeed))
            }
            for arm in plan.arms where arm != StudyArm(k: 1) {
                try compare(arm.label, "K=1", plan.seeds.compactMap { seed in
                    guard let a = rankedScores[plan.runName(arm, seed: seed)], let b = rankedScores[plan.runName(k: 1, seed: seed)] else { return nil }
                    return (seed, a, b)
                })
            }
            if let params = baselines.first(where: { $0.name == "params" }) {
                for arm in plan.arms {
                    try compare(arm.label, "params", plan.seeds.compactMap { seed in
                        rankedScores[plan.runName(arm, seed: seed)].map { (seed, $0, params) }
                    })
                }
            }
            for (name, byEpoch) in snapshotScores.sorted(by: { $0.key < $1.key }) {
                let k = runs.first { $0.name == name }!.k
                var points = byEpoch.map { ($0.key, $0.value) }
                if let final = runScores[name], let subset = byEpoch.values.first.map({ Set($0.scores.keys) }) {
                    points.append((plan.config(k: k, seed: 0).epochs, EstimatorScores(name: final.name, source: final.source,
                                                                                       scores: final.scores.filter { subset.contains($0.key) })))
                }
                for (epoch, scores) in points.sorted(by: { $0.0 < $1.0 }) {
                    let (p, t, _) = study.pairs(scores)
                    guard p.count >= 2, let tau = try? kendallTau(p, t, variant: .b).statistic else { continue }
                    snapshots.append(SnapshotPoint(k: k, epoch: epoch, truth: column.description, tau: tau, paths: p.count,
                                                   trainingHours: hoursAt[name]?[epoch]))
                }
            }
        }
        let config = plan.config(k: 1, seed: 0)
        let cells = Dictionary(uniqueKeysWithValues: try selection.map { ($0, try store.cell(at: $0)) })
        func meanFlops(_ shape: NetworkShape) -> Double {
            cells.values.map { Double(Cost(cell: $0, shape: shape).flops) }.reduce(0, +) / Double(max(cells.count, 1))
        }
        var bias: [OperationBias] = []
        for arm in plan.arms {
            let seeds = plan.seeds.compactMap { runScores[plan.runName(arm, seed: $0)] }
            if let b = biasByOperation(of: seeds, cells: cells) { bias.append(OperationBias(estimator: arm.label, tau: b)) }
        }
        for column in groundTruths {
            let table = try store.groundTruth(column, plan: plan)
            let truth = EstimatorScores(name: "truth", source: "", scores: Dictionary(uniqueKeysWithValues: table.rows.compactMap {
                cells[$0.index] == nil ? nil : ($0.index, $0.accuracy)
            }))
            if let b = biasByOperation(of: [truth], cells: cells) { bias.append(OperationBias(estimator: "truth: \(column)", tau: b, isTruth: true)) }
        }
        return StudyResults(plan: plan, groundTruths: groundTruths, selection: selection, runs: runs, rows: rows,
                            summaries: summaries, paired: paired, snapshots: snapshots, operationBias: bias,
                            studyFlopsPerImage: meanFlops(config.shape),
                            benchmarkFlopsPerImage: meanFlops(plan.dataset.networkShape), notes: notes)
    }

    /// Per operation, tau-b between its edge count and the scores, averaged over the replicates (nil when none).
    static func biasByOperation(of replicates: [EstimatorScores], cells: [Int: Cell]) -> [String: Double]? {
        var result: [String: Double] = [:]
        for op in Operation.allCases {
            let taus = replicates.compactMap { scores -> Double? in
                let keys = scores.scores.keys.filter { cells[$0] != nil }.sorted()
                let counts = keys.map { key in Double(cells[key]!.ops.filter { $0 == op }.count) }
                return try? kendallTau(counts, keys.map { scores.scores[$0]! }, variant: .b).statistic
            }
            if !taus.isEmpty { result[op.name] = taus.reduce(0, +) / Double(taus.count) }
        }
        return result.isEmpty ? nil : result
    }

    /// The codes of the estimated paths, from the estimates' details (`{"lambda":[...]}`), summarised; nil where none
    /// are stored.
    static func codeSummary(_ estimates: [Estimate]) -> CodeSummary? {
        struct Details: Decodable { var lambda: [Double] }
        return CodeSummary(codes: estimates.compactMap { try? JSONDecoder().decode(Details.self, from: Data($0.detailsJSON.utf8)).lambda }
            .filter { !$0.isEmpty })
    }

    /// params and FLOPs (the baselines run) and the zero-cost proxies (the proxies run) on the selection, with the
    /// run each estimator's scores come from.
    static func baselineScores(plan: StudyPlan, store: BenchmarkStore, selected: Set<Int>) throws -> [(runID: Int, scores: EstimatorScores)] {
        var runs: [RunRecord] = []
        if let run = try? store.run(named: plan.baselineRunName) { runs.append(run) }
        if let shape = plan.proxyShape {
            let name = ProxyExperiment.ProxyProtocol(dataset: plan.dataset, archs: plan.archs, shape: shape, batch: plan.proxyBatch,
                                                     seed: plan.sampleSeed).defaultRunName
            if let run = try? store.run(named: name) { runs.append(run) }
        }
        var result: [(runID: Int, scores: EstimatorScores)] = []
        for run in runs {
            let grouped = Dictionary(grouping: try store.estimates(run: run.id).filter { selected.contains($0.arch) }, by: \.estimator)
            for name in grouped.keys.sorted() where grouped[name]!.count >= 2 {
                result.append((run.id, EstimatorScores(name: name, source: "run \(run.id) \(run.name)",
                                                       scores: Dictionary(uniqueKeysWithValues: grouped[name]!.map { ($0.arch, $0.score) }))))
            }
        }
        return result
    }
}
