/// Kendall's rank correlation in its three classic forms. All share the numerator C - D (concordant minus
/// discordant pairs) and differ in how ties shrink the denominator.
public enum KendallVariant: String, Sendable, CaseIterable {
    /// (C - D) / (n(n-1)/2): ties count against the correlation.
    case a
    /// (C - D) / sqrt((P - Tx)(P - Ty)): tie-corrected, reaches 1 for identical rankings with ties. The default.
    case b
    /// Stuart's tau-c, 2m(C - D) / (n^2 (m - 1)), m = fewer distinct values: for rectangular tables.
    case c
}

/// How the p-value of Kendall's tau is computed, as scipy's `method`.
public enum KendallPValueMethod: String, Sendable, CaseIterable {
    /// Exact when there are no ties and n <= 33 (or the rankings are at most one swap from agreeing or
    /// opposing); otherwise asymptotic.
    case auto
    /// The exact permutation distribution (no ties allowed).
    case exact
    /// Normal approximation of C - D with the tie-corrected variance.
    case asymptotic
}

/// Kendall's tau between `x` and `y` with the p-value of the test of no association, in O(n log n).
/// Matches scipy.stats.kendalltau (variants b and c, every method and alternative); tau-a shares the p-value.
/// Throws for fewer than 2 pairs, unequal lengths, NaN (unless `nanPolicy` omits them) and constant input.
public func kendallTau(
    _ x: [Double], _ y: [Double],
    variant: KendallVariant = .b,
    alternative: Alternative = .twoSided,
    method: KendallPValueMethod = .auto,
    nanPolicy: NaNPolicy = .error
) throws(RankingError) -> CorrelationResult {
    let (x, y) = try checkedPairs(x, y, nanPolicy: nanPolicy)
    let counts = PairCounts(x: x, y: y)
    let tau = try kendallStatistic(counts, variant: variant)
    return CorrelationResult(statistic: tau, pValue: try kendallPValue(counts, alternative: alternative, method: method))
}

/// Tau from the pair counts; throws when either ranking is constant.
func kendallStatistic(_ k: PairCounts, variant: KendallVariant) throws(RankingError) -> Double {
    if k.xTies == k.pairs { throw .constantScores(input: "the first vector") }
    if k.yTies == k.pairs { throw .constantScores(input: "the second vector") }
    let s = Double(k.concordantMinusDiscordant)
    let tau: Double
    switch variant {
    case .a:
        tau = s / Double(k.pairs)
    case .b:
        tau = s / Double(k.pairs - k.xTies).squareRoot() / Double(k.pairs - k.yTies).squareRoot()
    case .c:
        let m = min(k.xDistinct, k.yDistinct)
        tau = 2 * s / (Double(k.n * k.n * (m - 1)) / Double(m))
    }
    return min(1, max(-1, tau))
}

func kendallPValue(
    _ k: PairCounts, alternative: Alternative, method: KendallPValueMethod
) throws(RankingError) -> Double {
    let untied = k.xTies == 0 && k.yTies == 0
    if method == .exact && !untied { throw .exactPValueWithTies }
    let exact = method == .exact
        || (method == .auto && untied && (k.n <= 33 || min(k.discordant, k.pairs - k.discordant) <= 1))
    if exact {
        return exactKendallPValue(n: k.n, concordant: k.pairs - k.discordant, alternative: alternative)
    }
    let n = Double(k.n), m = n * (n - 1)
    let variance = (m * (2 * n + 5) - k.xTieVariance - k.yTieVariance) / 18
        + 2 * Double(k.xTies) * Double(k.yTies) / m
        + (k.n > 2 ? k.xTieCubic * k.yTieCubic / (9 * m * (n - 2)) : 0)
    let z = Double(k.concordantMinusDiscordant) / variance.squareRoot()
    return pValue(alternative, cdf: Distributions.normalCDF, sf: Distributions.normalSF, at: z)
}

/// The exact null distribution of the concordant count for n untied items (Kendall 1970): the number of
/// permutations of j items with i inversions is the sum of the j-1 counts i-j+1...i, built up to j = n.
/// Computed in the left tail (the distribution is symmetric), then mapped to the requested alternative.
func exactKendallPValue(n: Int, concordant: Int, alternative: Alternative) -> Double {
    let pairs = n * (n - 1) / 2
    let inRightTail = concordant >= pairs - concordant
    let c = min(concordant, pairs - concordant)
    var twoSided: Double, massAtC = 0.0
    if n == 2 {
        twoSided = 1; massAtC = 0.5
    } else if c == 0 {
        twoSided = n < 171 ? 2 / factorial(n) : 0
        massAtC = twoSided / 2
    } else if c == 1 {
        twoSided = n < 172 ? 2 / factorial(n - 1) : 0
        massAtC = Double(n - 1) / factorial(n)
    } else if 4 * c == pairs * 2 && alternative == .twoSided {
        twoSided = 1
    } else {
        // counts[i]: permutations with i inversions, i <= c. Past n = 170, n! overflows, so each step
        // divides by j and the counts become probabilities (times 2, the 2! left out of the start).
        let scaled = n >= 171
        var counts = [Double](repeating: 0, count: c + 1)
        counts[0] = 1; counts[1] = 1
        for j in 3...n {
            var running = 0.0
            for i in 0...c {
                running += counts[i]
                counts[i] = scaled ? running / Double(j) : running
            }
            if j <= c {
                for i in stride(from: c, through: j, by: -1) { counts[i] -= counts[i - j] }
            }
        }
        let total = counts.reduce(0, +)
        if scaled {
            twoSided = total; massAtC = counts[c] / 2
        } else {
            twoSided = 2 * total / factorial(n); massAtC = counts[c] / factorial(n)
        }
    }
    var p = twoSided
    if alternative != .twoSided {
        p = inRightTail == (alternative == .greater) ? twoSided / 2 : 1 - twoSided / 2 + massAtC
    }
    return min(1, max(0, p))
}

private func factorial(_ n: Int) -> Double { (1...max(n, 1)).reduce(1.0) { $0 * Double($1) } }
