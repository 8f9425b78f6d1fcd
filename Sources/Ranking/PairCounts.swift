/// The pair counts behind every Kendall statistic, from Knight's O(n log n) algorithm: sort by (x, y), then
/// count the discordant pairs as the strict inversions of the y sequence.
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

    /// From scores: both reduced to order keys, then as from keys; on two threads for large n.
    init(x: [Double], y: [Double]) {
        let parallel = x.count >= parallelThreshold
        let (kx, ky) = bothOf({ OrderKeys(denseRanksOf: x) }, { OrderKeys(denseRanksOf: y) }, inParallel: parallel)
        self.init(x: kx, y: ky, inParallel: parallel)
    }

    /// From order keys: counting sorts by y, then stably by x. The bootstrap calls this from many threads
    /// at once, so it stays on one thread unless told otherwise.
    init(x: OrderKeys, y: OrderKeys, inParallel: Bool = false) {
        let n = x.keys.count
        self.n = n
        pairs = n * (n - 1) / 2
        let byXY = x.stablySorted(y.stablySorted((0..<Int32(n)).map { $0 }))
        (xTies, xTieCubic, xTieVariance, xDistinct) = TieGroups(counts: x.counts).finished()
        (yTies, yTieCubic, yTieVariance, yDistinct) = TieGroups(counts: y.counts).finished()
        // The y keys in (x, y) order; a pair tied in both is a pair of neighbours in a run of equal keys.
        var ySequence = [Int32](repeating: 0, count: n)
        var joint = 0
        ySequence.withUnsafeMutableBufferPointer { sequence in
            x.keys.withUnsafeBufferPointer { xKey in
                y.keys.withUnsafeBufferPointer { yKey in
                    var previousX: Int32 = -1, previousY: Int32 = -1, run = 0
                    for j in 0..<n {
                        let item = Int(byXY[j]), kx = xKey[item], ky = yKey[item]
                        sequence[j] = ky
                        run = kx == previousX && ky == previousY ? run &+ 1 : 0
                        joint &+= run
                        previousX = kx
                        previousY = ky
                    }
                }
            }
        }
        jointTies = joint
        discordant = strictInversions(ySequence, bound: y.bound, inParallel: inParallel)
    }
}

/// Tie statistics from the number of items per key.
private struct TieGroups {
    var pairs = 0, cubic = 0.0, variance = 0.0, groups = 0

    init(counts: [Int32]) {
        for c in counts where c > 0 {
            groups += 1
            let t = Int(c)
            guard t > 1 else { continue }
            pairs += t * (t - 1) / 2
            cubic += Double(t) * Double(t - 1) * Double(t - 2)
            variance += Double(t) * Double(t - 1) * Double(2 * t + 5)
        }
    }

    /// Tied pairs, sum t(t-1)(t-2), sum t(t-1)(2t+5) over groups of size t, and the number of groups.
    func finished() -> (pairs: Int, cubic: Double, variance: Double, groups: Int) { (pairs, cubic, variance, groups) }
}

/// Pairs i < j with a[i] > a[j] (equal values are not inversions), for values in 0..<bound.
/// Each item asks a Fenwick tree how many earlier items are <= it, then adds itself: O(n log bound).
/// (A merge sort counts the same; its compare-and-advance chain measured 2-4x slower here.) Node counts
/// never exceed n, so up to 65,535 items they are 16-bit, which keeps the tree of 15,625 cells in L1.
/// In parallel, the two halves are counted on two threads and the pairs across them come from a histogram
/// of the first half.
func strictInversions(_ a: [Int32], bound: Int, inParallel: Bool) -> Int {
    let n = a.count
    guard inParallel && n >= parallelThreshold else { return fenwickInversions(a[...], bound: bound) }
    let half = n / 2
    let (first, second) = bothOf({ fenwickInversions(a[..<half], bound: bound) },
                                 { fenwickInversions(a[half...], bound: bound) }, inParallel: true)
    var atMost = [Int](repeating: 0, count: bound + 1) // atMost[v + 1]: first-half items <= v
    for v in a[..<half] { atMost[Int(v) + 1] += 1 }
    for v in 0..<bound { atMost[v + 1] += atMost[v] }
    var across = 0
    for v in a[half...] { across += half - atMost[Int(v) + 1] }
    return first + second + across
}

private func fenwickInversions(_ a: ArraySlice<Int32>, bound: Int) -> Int {
    a.count <= Int(UInt16.max) ? fenwickInversions(a, bound: bound, counter: UInt16.self)
                               : fenwickInversions(a, bound: bound, counter: Int.self)
}

@inline(__always)
private func fenwickInversions<Count: FixedWidthInteger>(
    _ a: ArraySlice<Int32>, bound: Int, counter: Count.Type
) -> Int {
    var tree = [Count](repeating: 0, count: bound + 1)
    var inversions = 0
    tree.withUnsafeMutableBufferPointer { tree in
        a.withUnsafeBufferPointer { a in
            for j in 0..<a.count {
                var node = Int(a[j]) + 1, atMost = 0
                while node > 0 { atMost &+= Int(truncatingIfNeeded: tree[node]); node &= node &- 1 }
                inversions &+= j &- atMost
                node = Int(a[j]) + 1
                while node <= bound { tree[node] &+= 1; node &+= node & (0 &- node) }
            }
        }
    }
    return inversions
}
