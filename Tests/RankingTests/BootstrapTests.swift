import Support
import Testing
import Ranking

/// A noisy estimator of `truth`: truth plus Gaussian noise of the given size, rounded to create ties.
private func estimator(of truth: [Double], noise: Double, seed: UInt64) -> [Double] {
    var random = SeededRandom(seed: seed)
    return truth.map { (($0 + noise * Double(random.nextGaussian())) * 100).rounded() / 100 }
}

private func truthScores(_ n: Int) -> [Double] {
    var random = SeededRandom(seed: 99)
    return (0..<n).map { _ in (Double(random.nextGaussian()) * 1000).rounded() / 1000 }
}

/// numpy's default percentile: linear interpolation between order statistics.
private func percentile(_ sorted: [Double], _ q: Double) -> Double {
    let h = Double(sorted.count - 1) * q, lo = Int(h)
    return sorted[lo] + (h - Double(lo)) * (sorted[min(lo + 1, sorted.count - 1)] - sorted[lo])
}

@Suite struct BootstrapTests {
    /// The bootstrap's fast path (resampled integer keys) gives exactly what the public functions give on the
    /// resampled scores, resample by resample, and the interval is their percentile interval.
    @Test func intervalsArePercentilesOfThePublicStatisticsOnEachResample() throws {
        let truth = truthScores(120), predicted = estimator(of: truth, noise: 0.8, seed: 5)
        let metrics: [RankingMetric] = [.kendallTau(.b), .spearman, .pearson, .precisionAtTop(k: 10), .worstTrueRankInTop(k: 10)]
        let resamples = 200, seed: UInt64 = 77
        let intervals = try bootstrapIntervals(predicted: predicted, truth: truth, metrics: metrics,
                                               resamples: resamples, level: 0.9, seed: seed)
        var replicates = [[Double]](repeating: [], count: metrics.count)
        for b in 0..<resamples {
            var random = SeededRandom(seed: seed).fork("bootstrap \(b)")
            let idx = (0..<truth.count).map { _ in random.nextInt(below: truth.count) }
            let p = idx.map { predicted[$0] }, t = idx.map { truth[$0] }
            let top = try topKAgreement(k: 10, predicted: p, truth: t)
            replicates[0].append(try kendallTau(p, t).statistic)
            replicates[1].append(try spearmanRho(p, t).statistic)
            replicates[2].append(try pearsonR(p, t).statistic)
            replicates[3].append(top.precisionAtTop)
            replicates[4].append(Double(top.worstTrueRankInTop))
        }
        #expect(abs(intervals[0].estimate - (try kendallTau(predicted, truth).statistic)) < 1e-15)
        for (m, interval) in intervals.enumerated() {
            let sorted = replicates[m].sorted()
            #expect(abs(interval.lower - percentile(sorted, 0.05)) < 1e-12, "\(metrics[m]) lower")
            #expect(abs(interval.upper - percentile(sorted, 0.95)) < 1e-12, "\(metrics[m]) upper")
            #expect(interval.resamples == resamples && interval.undefinedResamples == 0)
            #expect(interval.lower <= interval.upper && interval.level == 0.9)
        }
    }

    @Test func sameSeedSameIntervalsOtherSeedOthers() throws {
        let truth = truthScores(300), predicted = estimator(of: truth, noise: 1, seed: 6)
        func run(_ seed: UInt64) throws -> [BootstrapInterval] {
            try bootstrapIntervals(predicted: predicted, truth: truth, metrics: [.kendallTau(.b)], resamples: 100, seed: seed)
        }
        #expect(try run(1) == run(1))
        #expect(try run(1) != run(2))
        let interval = try run(1)[0]
        #expect(interval.lower < interval.estimate && interval.estimate < interval.upper)
        #expect(interval.standardError > 0.005 && interval.standardError < 0.1)
    }

    @Test func constantResamplesAreLeftOutAndCounted() throws {
        // With 3 items, some resamples repeat one item three times: tau is undefined there.
        let r = try bootstrapIntervals(predicted: [1, 2, 3], truth: [1, 3, 2], metrics: [.kendallTau(.b)],
                                       resamples: 300, seed: 4)[0]
        #expect(r.undefinedResamples > 0 && r.undefinedResamples < 300)
        #expect(!r.lower.isNaN && !r.upper.isNaN)
    }
}

@Suite struct PairedComparisonTests {
    @Test func identicalEstimatorsDoNotDiffer() throws {
        let truth = truthScores(200), a = estimator(of: truth, noise: 0.5, seed: 8)
        let r = try compareKendallTau(first: a, second: a.map { $0 * 3 - 1 }, truth: truth,
                                      resamples: 50, permutations: 99, seed: 1)
        #expect(r.tauFirst == r.tauSecond)
        #expect(r.difference.estimate == 0 && r.difference.lower == 0 && r.difference.upper == 0)
        #expect(r.permutationPValue == 1)
    }

    @Test func aBetterEstimatorWinsSignificantly() throws {
        let truth = truthScores(400)
        let good = estimator(of: truth, noise: 0.3, seed: 9), poor = estimator(of: truth, noise: 1.5, seed: 10)
        let r = try compareKendallTau(first: good, second: poor, truth: truth, resamples: 200, permutations: 199, seed: 2)
        #expect(r.tauFirst > r.tauSecond)
        #expect(abs(r.difference.estimate - (try kendallTau(good, truth).statistic - kendallTau(poor, truth).statistic)) < 1e-15)
        #expect(r.difference.lower > 0)
        #expect(r.permutationPValue == 1.0 / 200) // no relabelling reaches the observed gap
        let swapped = try compareKendallTau(first: poor, second: good, truth: truth, resamples: 200, permutations: 199, seed: 2)
        #expect(swapped.difference.upper < 0 && swapped.permutationPValue == r.permutationPValue)
    }

    /// Two estimators of equal quality: the permutation p-value is not small (for this seed and data).
    @Test func equallyGoodEstimatorsAreNotSeparated() throws {
        let truth = truthScores(300)
        let a = estimator(of: truth, noise: 0.8, seed: 11), b = estimator(of: truth, noise: 0.8, seed: 12)
        let r = try compareKendallTau(first: a, second: b, truth: truth, resamples: 200, permutations: 199, seed: 3)
        #expect(r.permutationPValue > 0.05)
        #expect(r.difference.lower < 0 && r.difference.upper > 0)
    }
}

@Suite struct ReplicatedPairTests {
    /// Several seed pairs: the statistic is the mean of the pairs' tau differences; one pair is the plain comparison.
    @Test func meanDifferenceOverPairs() throws {
        var random = SeededRandom(seed: 11)
        let truth = (0..<60).map { _ in Double(random.nextFloat()) }
        func noisy(_ scale: Double) -> [Double] { truth.map { $0 + scale * Double(random.nextGaussian()) } }
        let pairs = [(noisy(0.1), noisy(0.5)), (noisy(0.1), noisy(0.5)), (noisy(0.2), noisy(0.4))]
        let pooled = try compareKendallTau(pairs: pairs.map { ($0.0, $0.1) }, truth: truth, resamples: 200, permutations: 199, seed: 4)
        let single = try pairs.map { try compareKendallTau(first: $0.0, second: $0.1, truth: truth, resamples: 200, permutations: 199, seed: 4) }
        let meanDifference = single.map(\.difference.estimate).reduce(0, +) / 3
        #expect(abs(pooled.difference.estimate - meanDifference) < 1e-12)
        #expect(abs(pooled.tauFirst - single.map(\.tauFirst).reduce(0, +) / 3) < 1e-12)
        #expect(pooled.difference.lower < pooled.difference.estimate && pooled.difference.estimate < pooled.difference.upper)
        #expect(pooled.permutationPValue < 0.05)
        let one = try compareKendallTau(pairs: [(pairs[0].0, pairs[0].1)], truth: truth, resamples: 200, permutations: 199, seed: 4)
        #expect(one == single[0])
        #expect(throws: RankingError.self) { try compareKendallTau(pairs: [], truth: truth, seed: 4) }
    }
}
