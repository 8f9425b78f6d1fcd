import Foundation
import Support

/// Which architectures a ranking compares.
public enum RankingSubset: Sendable, Equatable, CustomStringConvertible {
    /// Every architecture with both an estimate and a ground-truth value.
    case all
    /// One row per isomorphism class: the class-averaged ground truth against the mean estimate of the class
    /// members that have one.
    case nonIsomorphic
    /// A seeded sample of n of the architectures that have both values.
    case sample(Int, seed: UInt64)
    /// The best fraction of the architectures by ground truth (e.g. 0.1 = the top 10%).
    case topFraction(Double)

    /// Parses `all`, `non-isomorphic`, `sample:500` (seeded by `seed`), `top:0.1`.
    public init?(_ text: String, seed: UInt64) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch parts[0] {
        case "all" where parts.count == 1: self = .all
        case "non-isomorphic" where parts.count == 1: self = .nonIsomorphic
        case "sample" where parts.count == 2:
            guard let n = Int(parts[1]), n >= 2 else { return nil }
            self = .sample(n, seed: seed)
        case "top" where parts.count == 2:
            guard let f = Double(parts[1]), f > 0, f <= 1 else { return nil }
            self = .topFraction(f)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .all: "all"
        case .nonIsomorphic: "non-isomorphic"
        case let .sample(n, seed): "sample:\(n)@seed\(seed)"
        case let .topFraction(f): "top:\(f)"
        }
    }
}

/// Everything that fixes a ranking's numbers; stored and printed with every row.
public struct RankingProtocol: Sendable, Codable, Equatable {
    public var dataset: String
    public var split: String
    public var hp: Int
    public var seedPolicy: String
    public var subset: String
    public var topK: [Int]
    public var bootstrapResamples: Int
    public var bootstrapSeed: UInt64
    public var level: Double

    public init(dataset: String, split: String, hp: Int, seedPolicy: String, subset: String, topK: [Int],
                bootstrapResamples: Int, bootstrapSeed: UInt64, level: Double) {
        self.dataset = dataset
        self.split = split
        self.hp = hp
        self.seedPolicy = seedPolicy
        self.subset = subset
        self.topK = topK
        self.bootstrapResamples = bootstrapResamples
        self.bootstrapSeed = bootstrapSeed
        self.level = level
    }
}

/// One estimator's scores by benchmark index, and where they came from.
public struct EstimatorScores: Sendable {
    public var name: String
    public var source: String
    public var scores: [Int: Double]

    public init(name: String, source: String, scores: [Int: Double]) {
        self.name = name
        self.source = source
        self.scores = scores
    }
}

/// A metric's value with its bootstrap interval (and a p-value where the metric has one).
public struct MetricValue: Sendable, Codable, Equatable {
    public var name: String
    public var value: Double
    public var lower: Double?
    public var upper: Double?
    public var pValue: Double?
}

/// One table row: an estimator against the ground truth under a protocol.
public struct RankingRow: Sendable, Codable, Equatable {
    public var estimator: String
    public var source: String
    public var architectures: Int
    public var metrics: [MetricValue]
    public var rankingProtocol: RankingProtocol

    public func metric(_ name: String) -> MetricValue? { metrics.first { $0.name == name } }
}

/// The mean of a class's members: exactly their common value when they agree (isomorphic cells often share a
/// cost or a published value), so equal classes stay tied instead of differing in the last bit.
func classMean(_ values: [Double]) -> Double {
    if values.allSatisfy({ $0 == values[0] }) { return values[0] }
    return values.reduce(0, +) / Double(values.count)
}

public enum GroundTruthRankingError: Error, CustomStringConvertible, Equatable {
    case noOverlap(estimator: String)
    case invalidTopK(Int, count: Int)

    public var description: String {
        switch self {
        case let .noOverlap(e): "estimator '\(e)' scores fewer than 2 architectures that have a ground-truth value under this protocol"
        case let .invalidTopK(k, n): "top-k of \(k) is not possible with \(n) architectures; choose k between 1 and \(n)"
        }
    }
}

/// Ranks estimators against a ground-truth column.
public struct GroundTruthRanking: Sendable {
    public let truth: [Int: Double]
    public let isoClass: [Int: String]
    public let rankingProtocol: RankingProtocol
    public let subset: RankingSubset

    public init(truth: [Int: Double], isoClass: [Int: String], subset: RankingSubset, rankingProtocol: RankingProtocol) {
        self.truth = truth
        self.isoClass = isoClass
        self.subset = subset
        self.rankingProtocol = rankingProtocol
    }

    /// The (estimate, truth) pairs the protocol compares, in a fixed order.
    public func pairs(_ estimator: EstimatorScores) -> (predicted: [Double], truth: [Double], keys: [String]) {
        var common = estimator.scores.keys.filter { truth[$0] != nil }.sorted()
        switch subset {
        case .all, .nonIsomorphic: break
        case let .sample(n, seed):
            if n < common.count {
                var rng = SeededRandom(seed: seed).fork("ranking-sample")
                common = rng.sample(n, from: common.count).sorted().map { common[$0] }
            }
        case let .topFraction(f):
            let keep = max(2, Int((Double(common.count) * f).rounded()))
            common = Array(common.sorted { truth[$0]! != truth[$1]! ? truth[$0]! > truth[$1]! : $0 < $1 }.prefix(keep)).sorted()
        }
        guard subset == .nonIsomorphic else {
            return (common.map { estimator.scores[$0]! }, common.map { truth[$0]! }, common.map(String.init))
        }
        // Class-averaged ground truth over every member with a value; the estimate averaged over the scored members.
        // Members are visited in index order so the sums do not depend on hashing order.
        var truthMembers: [String: [Double]] = [:]
        for arch in truth.keys.sorted() { truthMembers[isoClass[arch] ?? String(arch), default: []].append(truth[arch]!) }
        var estimateMembers: [String: [Double]] = [:]
        for arch in common { estimateMembers[isoClass[arch] ?? String(arch), default: []].append(estimator.scores[arch]!) }
        let classes = estimateMembers.keys.sorted()
        return (classes.map { classMean(estimateMembers[$0]!) }, classes.map { classMean(truthMembers[$0]!) }, classes)
    }

    public func row(_ estimator: EstimatorScores) throws -> RankingRow {
        let (p, t, _) = pairs(estimator)
        guard p.count >= 2 else { throw GroundTruthRankingError.noOverlap(estimator: estimator.name) }
        for k in rankingProtocol.topK where !(1...p.count).contains(k) { throw GroundTruthRankingError.invalidTopK(k, count: p.count) }
        let kendall = try kendallTau(p, t, variant: .b)
        let spearman = try spearmanRho(p, t)
        let pearson = try pearsonR(p, t)
        var metrics: [RankingMetric] = [.kendallTau(.b), .spearman, .pearson]
        for k in rankingProtocol.topK { metrics += [.precisionAtTop(k: k), .bestTrueRankInTop(k: k)] }
        let intervals = try bootstrapIntervals(predicted: p, truth: t, metrics: metrics, resamples: rankingProtocol.bootstrapResamples,
                                               level: rankingProtocol.level, seed: rankingProtocol.bootstrapSeed)
        var values: [MetricValue] = []
        for (metric, interval) in zip(metrics, intervals) {
            let pValue: Double? = switch metric {
            case .kendallTau: kendall.pValue
            case .spearman: spearman.pValue
            case .pearson: pearson.pValue
            default: nil
            }
            values.append(MetricValue(name: metric.description, value: interval.estimate, lower: interval.lower,
                                      upper: interval.upper, pValue: pValue))
        }
        values.append(MetricValue(name: "weighted_tau", value: try weightedTau(p, t)))
        return RankingRow(estimator: estimator.name, source: estimator.source, architectures: p.count, metrics: values,
                          rankingProtocol: rankingProtocol)
    }

    /// Paired comparison of two estimators on the architectures both score (difference of Kendall tau-b).
    public func compare(_ first: EstimatorScores, _ second: EstimatorScores, resamples: Int, permutations: Int) throws -> PairedTauComparison {
        try compare([(first, second)], resamples: resamples, permutations: permutations)
    }

    /// The mean difference of Kendall tau-b over replicate pairs (e.g. seed s of K-shot against seed s of one-shot),
    /// on the architectures every estimator scores; resamples and permutations are shared by the pairs.
    public func compare(_ replicates: [(first: EstimatorScores, second: EstimatorScores)], resamples: Int, permutations: Int) throws -> PairedTauComparison {
        let everyone = replicates.flatMap { [$0.first, $0.second] }
        guard let anyone = everyone.first else { throw GroundTruthRankingError.noOverlap(estimator: "no estimator pairs") }
        let sharedKeys = everyone.dropFirst().reduce(Set(anyone.scores.keys)) { $0.intersection($1.scores.keys) }
        func restricted(_ e: EstimatorScores) -> (predicted: [Double], truth: [Double], keys: [String]) {
            pairs(EstimatorScores(name: e.name, source: e.source, scores: e.scores.filter { sharedKeys.contains($0.key) }))
        }
        let columns = replicates.map { (restricted($0.first), restricted($0.second)) }
        let reference = columns[0].0
        guard reference.predicted.count >= 2 else { throw GroundTruthRankingError.noOverlap(estimator: anyone.name) }
        precondition(columns.allSatisfy { $0.0.keys == reference.keys && $0.1.keys == reference.keys })
        return try compareKendallTau(pairs: columns.map { ($0.0.predicted, $0.1.predicted) }, truth: reference.truth,
                                     resamples: resamples, permutations: permutations,
                                     level: rankingProtocol.level, seed: rankingProtocol.bootstrapSeed)
    }
}
