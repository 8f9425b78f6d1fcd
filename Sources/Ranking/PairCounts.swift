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

    /// From scores: both reduced to order keys (on two threads for large n), then as from keys.
    init(x: [Double], y: [Double]) {
        let (kx, ky) = bothOf({ OrderKeys(denseRanksOf: x) }, { OrderKeys(denseRanksOf: y) },
                              inParallel: x.count >= parallelThreshold)
        self.init(x: kx, y: ky)
    }

    /// From order keys: counting sorts by y, then stably by x.
    init(x: OrderKeys, y: OrderKeys) {
        let n = x.keys.count
        let yCount = y.histogram()
        let byY = y.stablySorted((0..<Int32(n)).map { $0 }, histogram: yCount)
        let byXY = x.stablySorted(byY, histogram: x.histogram())
        var xTied = [Bool](repeating: false, count: n)
        for j in 1..<max(n, 1) { xTied[j] = x.keys[Int(byXY[j])] == x.keys[Int(byXY[j - 1])] }
        var yGroups = TieGroups()
        for c in yCount where c > 0 { yGroups.add(group: Int(c)) }
        self.init(byXY: byXY, xTiedWithPrevious: xTied, yKey: y.keys, yBound: y.bound, yGroups: yGroups)
    }

    /// From the items sorted by (x, y), which of them tie in x with their predecessor, and y's order keys
    /// (in 0..<yBound) with y's tie groups already counted.
    private init(byXY: [Int32], xTiedWithPrevious xTied: [Bool], yKey: [Int32], yBound: Int, yGroups: TieGroups) {
        let n = byXY.count
        self.n = n
        pairs = n * (n - 1) / 2
        var x = TieGroups(), joint = TieGroups(), y = yGroups
        var ySequence = [Int32](repeating: 0, count: n)
        for j in 0..<n {
            ySequence[j] = yKey[Int(byXY[j])]
            x.add(continuing: xTied[j])
            joint.add(continuing: xTied[j] && ySequence[j] == ySequence[j - 1])
        }
        discordant = strictInversions(ySequence, bound: yBound)
        (xTies, xTieCubic, xTieVariance, xDistinct) = x.finished()
        (yTies, yTieCubic, yTieVariance, yDistinct) = y.finished()
        jointTies = joint.finished().pairs
    }
}

/// Tie statistics accumulated over a sorted sequence, one item at a time.
private struct TieGroups {
    var pairs = 0, cubic = 0.0, variance = 0.0, groups = 0
    var run = 0

    /// The next item, either in the current group of equal values or starting a new one.
    mutating func add(continuing: Bool) {
        if continuing { run += 1; return }
        close()
        run = 1
        groups += 1
    }

    /// A whole group of `size` equal values.
    mutating func add(group size: Int) {
        close()
        run = size
        groups += 1
    }

    private mutating func close() {
        guard run > 1 else { return }
        let t = run
        pairs += t * (t - 1) / 2
        cubic += Double(t) * Double(t - 1) * Double(t - 2)
        variance += Double(t) * Double(t - 1) * Double(2 * t + 5)
    }

    /// Tied pairs, sum t(t-1)(t-2), sum t(t-1)(2t+5) over groups of size t, and the number of groups.
    mutating func finished() -> (pairs: Int, cubic: Double, variance: Double, groups: Int) {
        close()
        run = 0
        return (pairs, cubic, variance, groups)
    }
}

/// Pairs i < j with a[i] > a[j] (equal values are not inversions), for values in 0..<bound.
/// Each item asks a Fenwick tree how many earlier items are <= it, then adds itself: O(n log bound).
/// (A merge sort counts the same; its compare-and-advance chain measured 2-4x slower here.) Node counts
/// never exceed n, so up to 65,535 items they are 16-bit, which keeps the tree of 15,625 cells in L1.
/// Large inputs are split in two halves counted on two threads; the pairs across the halves come from a
/// histogram of the first half.
func strictInversions(_ a: [Int32], bound: Int) -> Int {
    let n = a.count
    guard n >= parallelThreshold else { return fenwickInversions(a[...], bound: bound) }
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
