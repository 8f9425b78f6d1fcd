import Support

/// Two estimators (e.g. one-shot and K-shot supernet scores) ranking the same architectures against the same
/// ground truth: tau-b of each, their difference with a paired bootstrap interval, and a permutation p-value.
public struct PairedTauComparison: Sendable, Equatable {
    public var tauFirst: Double
    public var tauSecond: Double
    /// tauFirst - tauSecond, with the percentile interval of the difference over paired resamples
    /// (both estimators resampled with the same architectures).
    public var difference: BootstrapInterval
    /// Two-sided p-value of "no difference": the share of random relabellings with |difference| at least the
    /// observed, counting the observed one, (1 + extreme) / (1 + permutations).
    public var permutationPValue: Double
    public var permutations: Int
}

/// Compares Kendall tau-b of `first` and `second` against `truth`. The permutation test swaps the two
/// estimators' scores architecture by architecture with probability 1/2; the scores swapped are their
/// average ranks (1...n), since raw scores of two estimators need not share a scale (tau only sees order).
/// Resample b uses `SeededRandom(seed:).fork("bootstrap \(b)")`, permutation j `fork("permutation \(j)")`.
public func compareKendallTau(
    first: [Double], second: [Double], truth: [Double],
    resamples: Int = 1000, permutations: Int = 1000, level: Double = 0.95,
    seed: UInt64, nanPolicy: NaNPolicy = .error
) throws(RankingError) -> PairedTauComparison {
    try compareKendallTau(pairs: [(first, second)], truth: truth, resamples: resamples, permutations: permutations,
                          level: level, seed: seed, nanPolicy: nanPolicy)
}

/// The same comparison for several replicate pairs of the two estimators on the same architectures (e.g. seed s
/// of one-shot against seed s of K-shot): the statistic is the mean over pairs of tau-b(first) - tau-b(second)
/// (tauFirst and tauSecond are the means). A bootstrap resample draws architectures once for all pairs, and a
/// permutation swaps the same architectures in every pair, so the seeds' shared sampling is respected.
public func compareKendallTau(
    pairs: [(first: [Double], second: [Double])], truth: [Double],
    resamples: Int = 1000, permutations: Int = 1000, level: Double = 0.95,
    seed: UInt64, nanPolicy: NaNPolicy = .error
) throws(RankingError) -> PairedTauComparison {
    guard !pairs.isEmpty else { throw .invalidRepetitions(name: "estimator pairs", count: 0) }
    try checkBootstrap(resamples: resamples, level: level)
    guard permutations >= 1 else { throw .invalidRepetitions(name: "permutations", count: permutations) }
    var checked: [(a: OrderKeys, b: OrderKeys)] = []
    var truthKeys = OrderKeys(denseRanksOf: [])
    for (first, second) in pairs {
        let columns = try checkedColumns([first, second, truth],
                                         names: ["the first estimator", "the second estimator", "the true scores"],
                                         nanPolicy: nanPolicy)
        checked.append((rankKeys(columns[0]), rankKeys(columns[1])))
        truthKeys = OrderKeys(denseRanksOf: columns[2])
    }
    let keyed = checked, truth = truthKeys
    let m = Double(keyed.count)
    var tauA = 0.0, tauB = 0.0
    for (a, b) in keyed {
        tauA += try kendallStatistic(PairCounts(x: a, y: truth), variant: .b) / m
        tauB += try kendallStatistic(PairCounts(x: b, y: truth), variant: .b) / m
    }
    let observed = tauA - tauB
    let n = truth.keys.count
    let root = SeededRandom(seed: seed)

    let samples = keyed.map { (WeightedSample(predicted: $0.a, truth: truth), WeightedSample(predicted: $0.b, truth: truth)) }
    let resampled = parallelReplicates(resamples, width: 1) { r in
        var random = root.fork("bootstrap \(r)")
        let drawn = drawCounts(n, &random)
        let differences = samples.map { a, b in
            a.values([.kendallTau(.b)], drawn: drawn)[0] - b.values([.kendallTau(.b)], drawn: drawn)[0]
        }
        return [differences.reduce(0, +) / m]
    }
    let relabelled = parallelReplicates(permutations, width: 1) { r in
        var random = root.fork("permutation \(r)")
        let swap = (0..<n).map { _ in random.next() & 1 == 1 }
        let differences = keyed.map { a, b in
            let (x, y) = OrderKeys.exchanging(a, b, where: swap)
            return difference(x, y, truth)
        }
        return [differences.reduce(0, +) / m]
    }
    // Differences equal to the observed one up to rounding count as extreme.
    let tolerance = 1e-12 * max(1, abs(observed))
    let extreme = relabelled.filter { abs($0) >= abs(observed) - tolerance }.count
    return PairedTauComparison(
        tauFirst: tauA, tauSecond: tauB,
        difference: percentileInterval(estimate: observed, replicates: resampled, level: level),
        permutationPValue: Double(1 + extreme) / Double(1 + permutations), permutations: permutations)
}

/// tau-b(a, truth) - tau-b(b, truth), NaN where either is undefined.
private func difference(_ a: OrderKeys, _ b: OrderKeys, _ truth: OrderKeys) -> Double {
    guard let ta = try? kendallStatistic(PairCounts(x: a, y: truth), variant: .b),
          let tb = try? kendallStatistic(PairCounts(x: b, y: truth), variant: .b) else { return .nan }
    return ta - tb
}

/// Twice the average ranks minus 2, as integer keys in 0..<2n-1: order-equivalent to the scores, and on the
/// same scale for any two estimators of the same items.
private func rankKeys(_ scores: [Double]) -> OrderKeys {
    let ranks = OrderKeys(denseRanksOf: scores).averageRanks()
    return OrderKeys(keys: ranks.map { Int32(2 * $0) - 2 }, bound: max(2 * ranks.count - 1, 1))
}
