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

    /// From scores: both reduced to order keys and their tie statistics (on two threads for large n), then as
    /// from keys.
    init(x: [Double], y: [Double]) {
        let ((kx, xTies), (ky, yTies)) = bothOf({ OrderKeys(denseRanksOf: x).withTies() },
                                                { OrderKeys(denseRanksOf: y).withTies() },
                                                inParallel: x.count >= parallelThreshold)
        self.init(x: kx, y: ky, xTies: xTies, yTies: yTies)
    }

    /// From order keys.
    init(x: OrderKeys, y: OrderKeys) {
        self.init(x: x, y: y, xTies: TieGroups(counts: x.counts), yTies: TieGroups(counts: y.counts))
    }

    /// The items in y order, stably counting-sorted by x, give the (x, y) order; the sort writes both keys in that
    /// order, so the jointly tied pairs (neighbours in a run of equal key pairs) and the discordant pairs (strict
    /// inversions of the y keys) are read from sequential memory.
    private init(x: OrderKeys, y: OrderKeys, xTies: TieGroups, yTies: TieGroups) {
        let n = x.keys.count
        var xSequence = [Int32](repeating: 0, count: n), ySequence = [Int32](repeating: 0, count: n)
        var start = x.runStarts()
        var joint = 0
        x.keys.withUnsafeBufferPointer { xKey in
            y.keys.withUnsafeBufferPointer { yKey in
                xSequence.withUnsafeMutableBufferPointer { xs in
                    ySequence.withUnsafeMutableBufferPointer { ys in
                        start.withUnsafeMutableBufferPointer { start in
                            y.itemsInOrder().withUnsafeBufferPointer { items in
                                scatterPlaces(n, start.baseAddress!, key: { Int(xKey[Int(items[$0])]) }) { j, kx, place in
                                    xs[place] = Int32(truncatingIfNeeded: kx)
                                    ys[place] = yKey[Int(items[j])]
                                }
                            }
                        }
                        var run = 0
                        for j in 1..<max(n, 1) {
                            let same = xs[j] == xs[j - 1] && ys[j] == ys[j - 1]
                            run = same ? run &+ 1 : 0
                            joint &+= run
                        }
                    }
                }
            }
        }
        self.init(n: n, discordant: strictInversions(ySequence, bound: y.bound), jointTies: joint,
                  xTies: xTies, yTies: yTies)
    }

    /// From the discordant and jointly tied pairs and how many items carry each x and each y key.
    init(n: Int, discordant: Int, jointTies: Int, xCounts: [Int32], yCounts: [Int32]) {
        self.init(n: n, discordant: discordant, jointTies: jointTies,
                  xTies: TieGroups(counts: xCounts), yTies: TieGroups(counts: yCounts))
    }

    private init(n: Int, discordant: Int, jointTies: Int, xTies: TieGroups, yTies: TieGroups) {
        self.n = n
        pairs = n * (n - 1) / 2
        self.discordant = discordant
        self.jointTies = jointTies
        (self.xTies, xTieCubic, xTieVariance, xDistinct) = xTies.summary
        (self.yTies, yTieCubic, yTieVariance, yDistinct) = yTies.summary
    }
}

private extension OrderKeys {
    func withTies() -> (OrderKeys, TieGroups) { (self, TieGroups(counts: counts)) }
}

/// Tie statistics from the number of items per key.
private struct TieGroups {
    var pairs = 0, cubic = 0.0, variance = 0.0, groups = 0

    /// Written without branches: every term vanishes for groups of 0 or 1 items (sums stay exact below 2^53).
    init(counts: [Int32]) {
        for c in counts {
            let t = Int(c), d = Double(c)
            groups &+= t > 0 ? 1 : 0
            pairs &+= t &* (t &- 1) / 2
            cubic += d * (d - 1) * (d - 2)
            variance += d * (d - 1) * (2 * d + 5)
        }
    }

    /// Tied pairs, sum t(t-1)(t-2), sum t(t-1)(2t+5) over groups of size t, and the number of groups.
    var summary: (pairs: Int, cubic: Double, variance: Double, groups: Int) { (pairs, cubic, variance, groups) }
}

/// Pairs i < j with a[i] > a[j] (equal values are not inversions), for values in 0..<bound.
/// Large sequences are split in halves counted on two threads; the pairs across the halves are counted from
/// how many values of the first half exceed each value, O(n + bound).
func strictInversions(_ a: [Int32], bound: Int) -> Int {
    let half = a.count / 2
    guard a.count >= 2 * parallelThreshold else { return strictInversions(a[...], bound: bound) }
    let (first, second) = bothOf({ strictInversions(a[..<half], bound: bound) + acrossHalves(a, half: half, bound: bound) },
                                 { strictInversions(a[half...], bound: bound) }, inParallel: true)
    return first + second
}

/// Pairs i < half <= j with a[i] > a[j].
private func acrossHalves(_ a: [Int32], half: Int, bound: Int) -> Int {
    var greater = [Int](repeating: 0, count: bound + 1) // greater[v]: first-half values above v, after the sums
    for v in a[..<half] { greater[Int(v)] &+= 1 }
    var above = 0
    for v in stride(from: bound - 1, through: 0, by: -1) {
        let here = greater[v]
        greater[v] = above
        above &+= here
    }
    var count = 0
    for v in a[half...] { count &+= greater[Int(v)] }
    return count
}

/// The values become a permutation first: item j gets its place in a stable counting sort, so equal values
/// keep their sequence order and never count. O(n log n).
private func strictInversions(_ a: ArraySlice<Int32>, bound: Int) -> Int {
    var next = [Int32](repeating: 0, count: bound + 1)
    for v in a { next[Int(v) + 1] &+= 1 }
    for v in 0..<bound { next[v + 1] &+= next[v] }
    var places = [Int32](repeating: 0, count: a.count)
    a.withUnsafeBufferPointer { a in
        next.withUnsafeMutableBufferPointer { next in
            places.withUnsafeMutableBufferPointer { places in
                scatterPlaces(a.count, next.baseAddress!, key: { Int(a[$0]) }) { j, _, place in places[j] = place }
            }
        }
    }
    return inversions(places: places, copies: OneCopyEach())
}

/// Sum over sequence positions j of copies[j] x (copies at earlier positions with a larger place), where
/// position j stands for copies[j] items at place places[j], and places are a permutation of 0..<n.
func weightedInversions(places: [Int32], copies: [Int32]) -> Int {
    inversions(places: places, copies: copies)
}

/// How many copies each sequence position stands for.
protocol CopyCounts {
    subscript(_ j: Int) -> Int32 { get }
}

extension Array: CopyCounts where Element == Int32 {}

/// The plain sequence: every position is one item (the specialised code drops the copy bookkeeping).
struct OneCopyEach: CopyCounts {
    subscript(_ j: Int) -> Int32 { 1 }
}

/// The copies seen so far are bits in 64-bit words over the copy places (each place's copies take the next
/// bit positions). The set bits of whole words are counted in a 16-ary tree whose nodes hold, for each of their 16
/// children, how many bits the children before it hold: a query adds one lane per level, an insert adds to the lanes
/// after its child, one 16-lane masked add per level; a popcount counts the rest of the own word. At n = 15,625 that
/// is 245 words under two levels, in L1: two reads per query and two vector adds per insert, where a Fenwick tree over
/// the words walked 8 dependent nodes each way (the serial Kendall call ~4 % faster).
@inline(__always)
private func inversions<Copies: CopyCounts>(places: [Int32], copies: Copies) -> Int {
    let n = places.count
    // firstBit[p]: the bit position of place p's first copy (place p itself when every position is one copy).
    let unit = Copies.self == OneCopyEach.self
    var firstBit = [Int](repeating: 0, count: unit ? 0 : n + 1)
    if !unit {
        for j in 0..<n { firstBit[Int(places[j]) + 1] = Int(copies[j]) }
        for p in 0..<n { firstBit[p + 1] += firstBit[p] }
    }
    let words = (unit ? n : firstBit[n]) / 64 + 1
    var bits = [UInt64](repeating: 0, count: words)
    // Level l holds one lane per word >> 4l (its lane within its node: the index & 15), at levelStart[l].
    var levelStart: [Int] = [], treeSize = 0, width = words
    repeat {
        levelStart.append(treeSize)
        width = (width + 15) / 16
        treeSize += width * 16
    } while width > 1
    var tree = [Int32](repeating: 0, count: treeSize)
    let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    var seen = 0, count = 0
    bits.withUnsafeMutableBufferPointer { bits in
        tree.withUnsafeMutableBufferPointer { tree in
            levelStart.withUnsafeBufferPointer { levelStart in
                firstBit.withUnsafeBufferPointer { firstBit in
                    places.withUnsafeBufferPointer { places in
                        for j in 0..<n {
                            var w = Int(copies[j])
                            guard w > 0 else { continue }
                            var bit = unit ? Int(places[j]) : firstBit[Int(places[j])]
                            var word = bit >> 6
                            var smaller = (bits[word] & ((UInt64(1) << UInt64(bit & 63)) &- 1)).nonzeroBitCount
                            var index = word
                            for start in levelStart { smaller &+= Int(tree[start &+ index]); index >>= 4 }
                            count &+= w &* (seen &- smaller)
                            seen &+= w
                            while w > 0 {
                                word = bit >> 6
                                let offset = bit & 63, take = min(w, 64 - offset)
                                let run = take == 64 ? ~UInt64(0) : (UInt64(1) << UInt64(take)) &- 1
                                bits[word] |= run << UInt64(offset)
                                let added = SIMD16<Int32>(repeating: Int32(take))
                                var index = word
                                for start in levelStart {
                                    defer { index >>= 4 }
                                    let node = UnsafeMutableRawPointer(tree.baseAddress! + (start &+ index & ~15))
                                    let after = lanes .> SIMD16<Int32>(repeating: Int32(index & 15))
                                    node.storeBytes(of: node.loadUnaligned(as: SIMD16<Int32>.self) &+ SIMD16<Int32>.zero.replacing(with: added, where: after),
                                                    as: SIMD16<Int32>.self)
                                }
                                bit &+= take
                                w &-= take
                            }
                        }
                    }
                }
            }
        }
    }
    return count
}
