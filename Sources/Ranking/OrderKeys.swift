/// Scores reduced to their order: key[i] in 0..<bound, equal scores share a key, a larger score has a larger key.
/// Every rank statistic depends on the scores only through these keys, so integer keys can be re-sorted in
/// linear time (counting sort) and the bootstrap never touches the doubles again.
struct OrderKeys {
    let keys: [Int32]
    let bound: Int
    /// How many items carry each key (kept because every statistic needs it).
    let counts: [Int32]
    /// The items in ascending key order, ties in item order, when the keys came from a sort (saves a re-sort).
    private let ascending: [Int32]?

    /// Dense ranks 0..<distinct of `values` (no NaN), from the linear-time `sortedOrder`.
    /// The walk along the sorted values is sequential and branch-free: tie runs have random lengths, so a branch
    /// per item mispredicts.
    init(denseRanksOf values: [Double]) {
        let (order, sorted) = sortedOrder(values)
        let n = values.count
        var keys = [Int32](unsafeUninitializedCapacity: n) { _, count in count = n }
        var counts = [Int32](repeating: 0, count: n)
        var distinct = 0
        sorted.withUnsafeBufferPointer { v in
            keys.withUnsafeMutableBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in
                    order.withUnsafeBufferPointer { o in
                        guard n > 0 else { return }
                        // c[key] first records where the key's run ends (a store, where a count would make each tie
                        // wait on the previous increment), then the runs' lengths.
                        var previous = v[0], key = 0
                        for j in 0..<n {
                            let value = v[j]
                            key &+= value != previous ? 1 : 0
                            previous = value
                            k[Int(o[j])] = Int32(truncatingIfNeeded: key)
                            c[key] = Int32(truncatingIfNeeded: j &+ 1)
                        }
                        distinct = key + 1
                        for key in stride(from: distinct - 1, to: 0, by: -1) { c[key] &-= c[key - 1] }
                    }
                }
            }
        }
        counts.removeLast(n - distinct)
        self.keys = keys
        self.bound = distinct
        self.counts = counts
        ascending = order
    }

    /// Keys in 0..<bound.
    init(keys: [Int32], bound: Int) {
        var counts = [Int32](repeating: 0, count: bound)
        counts.withUnsafeMutableBufferPointer { c in
            for k in keys { c[Int(k)] &+= 1 }
        }
        self.keys = keys
        self.bound = bound
        self.counts = counts
        ascending = nil
    }

    /// How many drawn copies carry each key, when item i is drawn `drawn[i]` times.
    func counts(drawn: [Int32]) -> [Int32] {
        var counts = [Int32](repeating: 0, count: bound)
        counts.withUnsafeMutableBufferPointer { c in
            for (k, d) in zip(keys, drawn) { c[Int(k)] &+= d }
        }
        return counts
    }

    /// `a` and `b` with item i's two keys exchanged wherever `swapped[i]` (a relabelling of two estimators).
    static func exchanging(_ a: OrderKeys, _ b: OrderKeys, where swapped: [Bool]) -> (OrderKeys, OrderKeys) {
        var ka = a.keys, kb = b.keys
        for i in swapped.indices where swapped[i] { swap(&ka[i], &kb[i]) }
        return (OrderKeys(keys: ka, bound: a.bound), OrderKeys(keys: kb, bound: b.bound))
    }

    /// The items in ascending key order, ties in item order.
    func itemsInOrder() -> [Int32] {
        ascending ?? stablySorted(identityOrder(keys.count))
    }

    /// The items in ascending order of (own key, `tiebreak`'s key), remaining ties in item order.
    func itemsInOrder(thenBy tiebreak: OrderKeys) -> [Int32] {
        stablySorted(tiebreak.itemsInOrder())
    }

    /// Where each key's run begins in ascending key order (bound + 1 entries, the last is n): a counting sort's
    /// write positions.
    func runStarts() -> [Int] {
        var start = [Int](repeating: 0, count: bound + 1)
        for v in 0..<bound { start[v + 1] = start[v] + Int(counts[v]) }
        return start
    }

    /// `order` (a permutation of the items) stably re-sorted by key: a counting sort, O(n + bound).
    func stablySorted(_ order: [Int32]) -> [Int32] {
        var start = runStarts()
        var sorted = [Int32](repeating: 0, count: order.count)
        keys.withUnsafeBufferPointer { keys in
            start.withUnsafeMutableBufferPointer { start in
                sorted.withUnsafeMutableBufferPointer { sorted in
                    order.withUnsafeBufferPointer { order in
                        scatterPlaces(order.count, start.baseAddress!, key: { Int(keys[Int(order[$0])]) }) { j, _, place in
                            sorted[place] = order[j]
                        }
                    }
                }
            }
        }
        return sorted
    }

    /// Average ranks 1...n (ties share the mean of the ranks they span), as scipy.stats.rankdata.
    func averageRanks() -> [Double] {
        let rankOfKey = averageRankOfKey(counts)
        return keys.map { rankOfKey[Int($0)] }
    }
}

/// Indices of `values` in ascending order, ties in index order, and the values in that order.
/// Two stages: an LSD radix sort on a 32-bit monotone image of the values (it can only merge neighbours, never
/// swap them), each image packed with its index into one 64-bit word so a pass moves one array; then the runs of
/// equal images that hold doubles out of order are sorted (insertion sort up to 32 items, else a comparison sort,
/// so no input is quadratic). The image is the value's position in [min, max] scaled to 32 bits when that range
/// is finite (resolution (max - min) / 2^32: on NB201's CIFAR-100 x-test column it merges 3,900 of 14,475
/// distinct values where Float's 24-bit mantissa merges 10,200), else the value rounded to Float.
/// -0.0 and 0.0 sort together (they compare equal).
func sortedOrder(_ values: [Double]) -> (items: [Int32], values: [Double]) {
    let n = values.count
    guard n > 1 else { return (identityOrder(n), values) }
    var packed = imageWithIndex(values)
    radixSortHighHalf(&packed)
    var items = [Int32](unsafeUninitializedCapacity: n) { _, count in count = n }
    var sorted = [Double](unsafeUninitializedCapacity: n) { _, count in count = n }
    values.withUnsafeBufferPointer { v in
        packed.withUnsafeBufferPointer { p in
            items.withUnsafeMutableBufferPointer { o in
                sorted.withUnsafeMutableBufferPointer { s in
                    // Gathered in image order, each value moved back past the larger ones before it (insertion): the
                    // image is monotone, so a value is out of order only among equal images and never moves out of its
                    // run of them. (Values that differ in their last bits share an image: 1,383 and 2,117 of the 15,625
                    // of NB201's CIFAR-10 and CIFAR-100 x-test columns arrive after a larger one; a separate scan for
                    // them cost more than this.) A value that would move 32 places marks its run for a comparison
                    // sort, so no input is quadratic.
                    var longRuns: [Int] = []
                    for j in 0..<n {
                        let item = Int32(truncatingIfNeeded: p[j]), value = v[Int(item)]
                        var i = j
                        while i > 0 && s[i - 1] > value {
                            if j - i == 32 { longRuns.append(j); break }
                            o[i] = o[i - 1]; s[i] = s[i - 1]; i -= 1
                        }
                        o[i] = item
                        s[i] = value
                    }
                    var sortedUpTo = 0
                    for j in longRuns where j >= sortedUpTo {
                        let image = p[j] >> 32
                        var runStart = j, runEnd = j + 1
                        while runStart > 0 && p[runStart - 1] >> 32 == image { runStart -= 1 }
                        while runEnd < n && p[runEnd] >> 32 == image { runEnd += 1 }
                        // Items of equal values stay in index order under a stable sort by (value, item).
                        var run = (runStart..<runEnd).map { (s[$0], o[$0]) }
                        run.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                        for (r, (value, item)) in zip(runStart..<runEnd, run) { s[r] = value; o[r] = item }
                        sortedUpTo = runEnd
                    }
                }
            }
        }
    }
    return (items, sorted)
}

/// 0, 1, ..., n - 1 (filled in place: `map` over a range appends element by element).
func identityOrder(_ n: Int) -> [Int32] {
    [Int32](unsafeUninitializedCapacity: n) { buffer, count in
        for i in 0..<n { buffer[i] = Int32(truncatingIfNeeded: i) }
        count = n
    }
}

/// Each value's non-decreasing 32-bit image in the high half, its index in the low half. The image is (v - min)
/// scaled to [0, 2^32 - 1] (each step of the float arithmetic is monotone, and the clamp keeps rounding at the
/// top in range), or the Float bits when the range is not finite.
private func imageWithIndex(_ values: [Double]) -> [UInt64] {
    let n = values.count
    return values.withUnsafeBufferPointer { v in
        var lowest = v[0], highest = v[0]
        for x in v {
            lowest = x < lowest ? x : lowest
            highest = x > highest ? x : highest
        }
        let range = highest - lowest
        let top = Double(UInt32.max), scale = range > 0 ? top / range : 0
        return [UInt64](unsafeUninitializedCapacity: n) { packed, count in
            if range.isFinite {
                for i in 0..<n {
                    let scaled = (v[i] - lowest) * scale
                    packed[i] = UInt64(truncatingIfNeeded: Int64(scaled < top ? scaled : top)) << 32 | UInt64(i)
                }
            } else {
                for i in 0..<n { packed[i] = UInt64(orderedBits(Float(v[i]))) << 32 | UInt64(i) }
            }
            count = n
        }
    }
}

/// Bit patterns whose unsigned order is the numeric order (NaN excluded; -0 and 0 map together).
private func orderedBits(_ v: Float) -> UInt32 {
    let b = (v + 0).bitPattern
    return b & (1 << 31) != 0 ? ~b : b | (1 << 31)
}

/// Stable LSD radix sort of `words` by their high 32 bits: three 11-bit passes, their histograms from one read
/// of the words; a pass whose digit is the same for every word is skipped.
private func radixSortHighHalf(_ words: inout [UInt64]) {
    let n = words.count, digit = 11, buckets = 1 << digit
    guard n > 1 else { return }
    let shifts = (0..<3).map { UInt64(32 + $0 * digit) } // three digits cover bits 32..<64
    var histograms = [Int](repeating: 0, count: shifts.count * buckets)
    histograms.withUnsafeMutableBufferPointer { h in
        words.withUnsafeBufferPointer { w in
            let h0 = h.baseAddress!, h1 = h0 + buckets, h2 = h1 + buckets, mask = UInt64(buckets - 1)
            let (s0, s1, s2) = (shifts[0], shifts[1], shifts[2])
            for v in w {
                h0[Int((v &>> s0) & mask)] &+= 1
                h1[Int((v &>> s1) & mask)] &+= 1
                h2[Int((v &>> s2) & mask)] &+= 1
            }
        }
    }
    var next = [UInt64](unsafeUninitializedCapacity: n) { _, count in count = n }
    var start = [Int](repeating: 0, count: buckets)
    for (d, shift) in shifts.enumerated() {
        let mask = UInt64(buckets - 1), base = d * buckets
        if histograms[base + Int((words[0] &>> shift) & mask)] == n { continue }
        start[0] = 0
        for b in 1..<buckets { start[b] = start[b - 1] + histograms[base + b - 1] }
        start.withUnsafeMutableBufferPointer { start in
            words.withUnsafeBufferPointer { w in
                next.withUnsafeMutableBufferPointer { out in
                    scatterPlaces(n, start.baseAddress!, key: { Int((w[$0] &>> shift) & mask) }) { j, _, place in out[place] = w[j] }
                }
            }
        }
        swap(&words, &next)
    }
}

/// A stable counting sort's scatter: in order j = 0..<n, element j takes place start[key(j)], which then moves up by
/// one; `body(j, key, place)` sees each. Four elements per step, each place offset by the step's earlier elements
/// with the same key, so a run of equal keys (ties) waits on one store-to-load forward of `start` per step, not per
/// element: on NB201's CIFAR-10 column (5,735 distinct values in 15,625) that made the serial Kendall call ~20 % faster.
@inline(__always)
func scatterPlaces<Place: FixedWidthInteger>(_ n: Int, _ start: UnsafeMutablePointer<Place>, key: (Int) -> Int,
                                             _ body: (Int, Int, Place) -> Void) {
    var j = 0
    while j &+ 4 <= n {
        let k0 = key(j), k1 = key(j &+ 1), k2 = key(j &+ 2), k3 = key(j &+ 3)
        let p0 = start[k0]
        let p1 = start[k1] &+ (k1 == k0 ? 1 : 0)
        let p2 = start[k2] &+ (k2 == k0 ? 1 : 0) &+ (k2 == k1 ? 1 : 0)
        let p3 = start[k3] &+ (k3 == k0 ? 1 : 0) &+ (k3 == k1 ? 1 : 0) &+ (k3 == k2 ? 1 : 0)
        start[k0] = p0 &+ 1; start[k1] = p1 &+ 1; start[k2] = p2 &+ 1; start[k3] = p3 &+ 1
        body(j, k0, p0); body(j &+ 1, k1, p1); body(j &+ 2, k2, p2); body(j &+ 3, k3, p3)
        j &+= 4
    }
    while j < n {
        let k = key(j), place = start[k]
        start[k] = place &+ 1
        body(j, k, place)
        j &+= 1
    }
}
