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
                        var previous = v[0], key = 0
                        for j in 0..<n {
                            let value = v[j]
                            key &+= value != previous ? 1 : 0
                            previous = value
                            k[Int(o[j])] = Int32(truncatingIfNeeded: key)
                            c[key] &+= 1
                        }
                        distinct = key + 1
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
                    for i in order {
                        let k = Int(keys[Int(i)])
                        sorted[start[k]] = i
                        start[k] &+= 1
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
                    for j in 0..<n {
                        let item = Int32(truncatingIfNeeded: p[j])
                        o[j] = item
                        s[j] = v[Int(item)]
                    }
                    // Where a value is below its predecessor the two share an image (the image is monotone); that
                    // run needs sorting. One scan lists those places (typically few, so its branch is predictable)
                    // and only their runs are walked, not every run of equal images.
                    var disordered: [Int] = []
                    for j in 1..<n where s[j] < s[j - 1] { disordered.append(j) }
                    var sortedUpTo = 0
                    for j in disordered where j >= sortedUpTo {
                        let image = p[j] >> 32
                        var runStart = j - 1, runEnd = j + 1
                        while runStart > 0 && p[runStart - 1] >> 32 == image { runStart -= 1 }
                        while runEnd < n && p[runEnd] >> 32 == image { runEnd += 1 }
                        if runEnd - runStart <= 32 {
                            for r in (runStart + 1)..<runEnd {
                                let item = o[r], value = s[r]
                                var i = r
                                while i > runStart && s[i - 1] > value { o[i] = o[i - 1]; s[i] = s[i - 1]; i -= 1 }
                                o[i] = item
                                s[i] = value
                            }
                        } else {
                            // Long runs (one value repeated with last-bit variants) by comparison sort: no input is
                            // quadratic. Items start in index order, so (value, item) is the stable order.
                            var run = (runStart..<runEnd).map { (s[$0], o[$0]) }
                            run.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                            for (r, (value, item)) in zip(runStart..<runEnd, run) { s[r] = value; o[r] = item }
                        }
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
                    for j in 0..<n {
                        let b = Int((w[j] &>> shift) & mask)
                        out[start[b]] = w[j]
                        start[b] &+= 1
                    }
                }
            }
        }
        swap(&words, &next)
    }
}
