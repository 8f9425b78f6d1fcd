/// The pair counts behind every Kendall statistic, from Knight's O(n log n) algorithm: sort by (x, y), then
/// count the discordant pairs as the strict inversions of the y sequence with a merge sort.
struct PairCounts {
    var n: Int
    /// n(n-1)/2.
    var pairs: Int
    var discordant: Int
    /// Pairs tied in x (whatever y), tied in y, tied in both.
    var xTies: Int, yTies: Int, jointTies: Int
    /// Sums over tie groups of size t: t(t-1)(t-2) and t(t-1)(2t+5), for the tie-corrected variance.
    var xTieCubic: Double, xTieVariance: Double
    var yTieCubic: Double, yTieVariance: Double
    /// Distinct values in x and y (tau-c).
    var xDistinct: Int, yDistinct: Int

    /// Concordant minus discordant pairs: pairs - xTies - yTies + jointTies - 2 discordant.
    var concordantMinusDiscordant: Int { pairs - xTies - yTies + jointTies - 2 * discordant }

    init(x: OrderKeys, y: OrderKeys) {
        let n = x.keys.count
        self.n = n
        pairs = n * (n - 1) / 2
        let yCount = y.histogram(), xCount = x.histogram()
        // Sort by y, then stably by x: the order is by (x, y), ties in index order.
        let byY = y.stablySorted((0..<Int32(n)).map { $0 }, histogram: yCount)
        let byXY = x.stablySorted(byY, histogram: xCount)

        var ySequence = byXY.map { y.keys[Int($0)] }
        jointTies = 0
        var run = 1
        for j in 1..<max(n, 1) {
            let same = x.keys[Int(byXY[j])] == x.keys[Int(byXY[j - 1])] && ySequence[j] == ySequence[j - 1]
            if same { run += 1 } else { jointTies += run * (run - 1) / 2; run = 1 }
        }
        jointTies += run * (run - 1) / 2

        (xTies, xTieCubic, xTieVariance, xDistinct) = tieStatistics(xCount)
        (yTies, yTieCubic, yTieVariance, yDistinct) = tieStatistics(yCount)
        discordant = strictInversions(&ySequence)
    }
}

/// Tied pairs, sum t(t-1)(t-2), sum t(t-1)(2t+5) over groups of size t, and the number of distinct values.
private func tieStatistics(_ count: [Int32]) -> (Int, Double, Double, Int) {
    var ties = 0, cubic = 0.0, variance = 0.0, distinct = 0
    for c32 in count where c32 > 0 {
        distinct += 1
        let t = Int(c32)
        guard t > 1 else { continue }
        ties += t * (t - 1) / 2
        cubic += Double(t) * Double(t - 1) * Double(t - 2)
        variance += Double(t) * Double(t - 1) * Double(2 * t + 5)
    }
    return (ties, cubic, variance, distinct)
}

/// Pairs i < j with a[i] > a[j] (equal values are not inversions); sorts `a` as a side effect.
/// Bottom-up merge sort: when a right element passes remaining left elements, each of them is an inversion.
func strictInversions(_ a: inout [Int32]) -> Int {
    let n = a.count
    var buffer = [Int32](repeating: 0, count: n)
    var inversions = 0
    var width = 1
    a.withUnsafeMutableBufferPointer { src0 in
        buffer.withUnsafeMutableBufferPointer { dst0 in
            var src = src0, dst = dst0
            while width < n {
                var lo = 0
                while lo < n {
                    let mid = min(lo + width, n), hi = min(lo + 2 * width, n)
                    var i = lo, j = mid, k = lo
                    if mid < hi && src[mid - 1] > src[mid] {
                        while i < mid && j < hi {
                            if src[j] < src[i] {
                                dst[k] = src[j]; j += 1
                                inversions += mid - i
                            } else {
                                dst[k] = src[i]; i += 1
                            }
                            k += 1
                        }
                    }
                    while i < mid { dst[k] = src[i]; i += 1; k += 1 }
                    while j < hi { dst[k] = src[j]; j += 1; k += 1 }
                    lo = hi
                }
                swap(&src, &dst)
                width *= 2
            }
            if src.baseAddress != src0.baseAddress {
                src0.baseAddress!.update(from: src.baseAddress!, count: n)
            }
        }
    }
    return inversions
}
