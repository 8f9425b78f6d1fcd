import Support

/// A percentile bootstrap confidence interval of a statistic over items (architectures).
public struct BootstrapInterval: Sendable, Equatable {
    /// The statistic on the full sample.
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    public var level: Double
    /// Standard deviation of the resampled statistic.
    public var standardError: Double
    /// Resamples drawn, and those where the statistic was undefined (a constant resample) and left out.
    public var resamples: Int
    public var undefinedResamples: Int
}

/// Percentile bootstrap intervals of `metrics` between `predicted` and `truth`: each resample draws n items
/// with replacement. Resample b draws from `SeededRandom(seed:).fork("bootstrap \(b)")`, so results depend on
/// the seed only, not on the number of threads. Intervals come back in the order of `metrics`.
public func bootstrapIntervals(
    predicted: [Double], truth: [Double], metrics: [RankingMetric],
    resamples: Int = 1000, level: Double = 0.95, seed: UInt64, nanPolicy: NaNPolicy = .error
) throws(RankingError) -> [BootstrapInterval] {
    let (p, t) = try checkedPairs(predicted, truth, nanPolicy: nanPolicy)
    try checkBootstrap(resamples: resamples, level: level)
    for metric in metrics {
        if let k = metric.k, !(1...p.count).contains(k) { throw .invalidK(k: k, count: p.count) }
    }
    let keepScores = metrics.contains(.pearson)
    let sample = WeightedSample(predicted: OrderKeys(denseRanksOf: p), truth: OrderKeys(denseRanksOf: t),
                                predictedScores: keepScores ? p : nil, truthScores: keepScores ? t : nil)
    let estimates = sample.values(metrics, drawn: sample.once)
    if estimates.contains(where: \.isNaN) {
        throw .constantScores(input: sample.predicted.bound < 2 ? "the predicted scores" : "the true scores")
    }
    let root = SeededRandom(seed: seed)
    let replicates = parallelReplicates(resamples, width: metrics.count) { b in
        var random = root.fork("bootstrap \(b)")
        return sample.values(metrics, drawn: drawCounts(sample.count, &random))
    }
    return metrics.indices.map { m in
        percentileInterval(estimate: estimates[m], replicates: (0..<resamples).map { replicates[$0 * metrics.count + m] },
                           level: level)
    }
}

func checkBootstrap(resamples: Int, level: Double) throws(RankingError) {
    guard resamples >= 1 else { throw .invalidRepetitions(name: "resamples", count: resamples) }
    guard level > 0 && level < 1 else { throw .invalidLevel(level) }
}

/// `count` rows of `width` values, row r computed by `row(r)`, spread over the available cores (on `ForkJoin`,
/// so the rank statistics inside a row, which would split their own work, run on their row's thread).
/// Rows are independent and deterministic in r, so the result does not depend on the scheduling.
func parallelReplicates(_ count: Int, width: Int, _ row: @Sendable (Int) -> [Double]) -> [Double] {
    var values = [Double](repeating: .nan, count: count * width)
    let chunks = min(count, 64)
    values.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let out = buffer
        ForkJoin.shared.forEach(chunks) { chunk in
            for r in stride(from: chunk, to: count, by: chunks) {
                for (m, v) in row(r).enumerated() { out[r * width + m] = v }
            }
        }
    }
    return values
}

/// Percentile interval (numpy's linear interpolation between order statistics) over the defined replicates.
func percentileInterval(estimate: Double, replicates: [Double], level: Double) -> BootstrapInterval {
    let defined = replicates.filter { !$0.isNaN }.sorted()
    func quantile(_ q: Double) -> Double {
        guard !defined.isEmpty else { return .nan }
        let h = Double(defined.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, defined.count - 1)
        return defined[lo] + (h - Double(lo)) * (defined[hi] - defined[lo])
    }
    let mean = defined.reduce(0, +) / Double(defined.count)
    let variance = defined.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(defined.count - 1, 1))
    return BootstrapInterval(
        estimate: estimate, lower: quantile((1 - level) / 2), upper: quantile((1 + level) / 2), level: level,
        standardError: variance.squareRoot(), resamples: replicates.count,
        undefinedResamples: replicates.count - defined.count)
}
