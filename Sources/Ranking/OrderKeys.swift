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
    /// The walk along the order is branch-free: tie runs have random lengths, so a branch per item mispredicts.
    init(denseRanksOf values: [Double]) {
        let order = sortedOrder(values)
        let n = values.count
        var keys = [Int32](repeating: 0, count: n)
        var counts = [Int32](repeating: 0, count: n)
        var distinct = 0
        values.withUnsafeBufferPointer { v in
            keys.withUnsafeMutableBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in
                    guard let first = order.first else { return }
                    var previous = v[Int(first)], key = 0
                    for item in order {
                        let value = v[Int(item)]
                        key &+= value != previous ? 1 : 0
                        previous = value
                        k[Int(item)] = Int32(truncatingIfNeeded: key)
                        c[key] &+= 1
                    }
                    distinct = key + 1
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

/// Indices of `values` in ascending order, ties in index order.
/// Two stages: an LSD radix sort on a 32-bit monotone image of the values (it can only merge neighbours, never
/// swap them: three 11-bit passes instead of six); then the runs of equal keys that hold doubles out of order
/// are insertion-sorted. The image is the value's position in [min, max] scaled to 32 bits when that range is
/// finite (resolution (max - min) / 2^32: on NB201's CIFAR-100 x-test column it merges 3,900 of 14,475
/// distinct values where Float's 24-bit mantissa merges 10,200), else the value rounded to Float. If the runs
/// need more than 4n moves (many values closer than the resolution), a radix sort on all 64 bits takes over,
/// so no input is quadratic.
/// -0.0 and 0.0 sort together (they compare equal).
func sortedOrder(_ values: [Double]) -> [Int32] {
    let n = values.count
    var order = identityOrder(n)
    guard n > 1 else { return order }
    var key = monotoneImage(values)
    radixSort(&key, carrying: &order, bits: 0..<32)
    var moves = 0
    values.withUnsafeBufferPointer { v in
        order.withUnsafeMutableBufferPointer { o in
            // Where a value is below its predecessor the two share a key (the image is monotone); that run needs
            // sorting. One scan lists those places (typically few, so its branch is predictable) and only their runs
            // are walked, not every run of equal keys.
            var disordered: [Int] = []
            var previous = v[Int(o[0])]
            for j in 1..<n {
                let value = v[Int(o[j])]
                if value < previous { disordered.append(j) }
                previous = value
            }
            var sortedUpTo = 0
            for j in disordered where j >= sortedUpTo {
                var runStart = j - 1, runEnd = j + 1
                while runStart > 0 && key[runStart - 1] == key[j] { runStart -= 1 }
                while runEnd < n && key[runEnd] == key[j] { runEnd += 1 }
                for r in (runStart + 1)..<runEnd {
                    let item = o[r], value = v[Int(item)]
                    var i = r
                    while i > runStart && v[Int(o[i - 1])] > value { o[i] = o[i - 1]; i -= 1 }
                    o[i] = item
                    moves += r - i
                }
                sortedUpTo = runEnd
            }
        }
    }
    if moves > 4 * n {
        order = identityOrder(n)
        var fullKey = values.map(orderedBits)
        radixSort(&fullKey, carrying: &order, bits: 0..<64)
    }
    return order
}

/// 0, 1, ..., n - 1 (filled in place: `map` over a range appends element by element).
func identityOrder(_ n: Int) -> [Int32] {
    [Int32](unsafeUninitializedCapacity: n) { buffer, count in
        for i in 0..<n { buffer[i] = Int32(truncatingIfNeeded: i) }
        count = n
    }
}

/// A non-decreasing map of the values to 32 bits: (v - min) scaled to [0, 2^32 - 1] (each step of the float
/// arithmetic is monotone, and the clamp keeps rounding at the top in range), or the Float bits when the range
/// is not finite.
private func monotoneImage(_ values: [Double]) -> [UInt32] {
    let n = values.count
    return values.withUnsafeBufferPointer { v in
        var low = v[0], high = v[0]
        for x in v {
            low = x < low ? x : low
            high = x > high ? x : high
        }
        let range = high - low
        guard range.isFinite else { return v.map { orderedBits(Float($0)) } }
        let top = Double(UInt32.max), scale = range > 0 ? top / range : 0
        return [UInt32](unsafeUninitializedCapacity: n) { image, count in
            for i in 0..<n {
                let scaled = (v[i] - low) * scale
                image[i] = UInt32(truncatingIfNeeded: Int64(scaled < top ? scaled : top))
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

private func orderedBits(_ v: Double) -> UInt64 {
    let b = (v + 0).bitPattern
    return b & (1 << 63) != 0 ? ~b : b | (1 << 63)
}

/// Stable LSD radix sort of `key` on the bits in `bits`, 11 bits a pass, moving `items` along; passes whose
/// digit is the same for every key are skipped. 32-bit keys (the first stage of `sortedOrder`) move a third fewer
/// bytes per pass than 64-bit ones.
func radixSort<Key: FixedWidthInteger & UnsignedInteger>(_ key: inout [Key], carrying items: inout [Int32], bits: Range<Int>) {
    let n = key.count, digit = 11, buckets = 1 << digit
    guard n > 1 else { return }
    let shifts = Array(stride(from: bits.lowerBound, to: bits.upperBound, by: digit))
    var histograms = [Int](repeating: 0, count: shifts.count * buckets)
    histograms.withUnsafeMutableBufferPointer { h in
        key.withUnsafeBufferPointer { k in
            // One tight loop per digit: an inner loop over the digits keeps the counts from being optimised.
            for (d, shift) in shifts.enumerated() {
                let counts = h.baseAddress! + d * buckets, shift = Key(shift)
                for v in k { counts[Int((v >> shift) & Key(buckets - 1))] &+= 1 }
            }
        }
    }
    var nextKey = [Key](unsafeUninitializedCapacity: n) { _, count in count = n }
    var nextItems = [Int32](unsafeUninitializedCapacity: n) { _, count in count = n }
    var start = [Int](repeating: 0, count: buckets)
    for (d, shift) in shifts.enumerated() {
        let width = min(digit, bits.upperBound - shift)
        let mask = Key(1 << width - 1), base = d * buckets, shift = Key(shift)
        if histograms[base + Int((key[0] >> shift) & mask)] == n { continue }
        start[0] = 0
        for b in 1..<buckets { start[b] = start[b - 1] + histograms[base + b - 1] }
        start.withUnsafeMutableBufferPointer { start in
            key.withUnsafeBufferPointer { k in
                items.withUnsafeBufferPointer { o in
                    nextKey.withUnsafeMutableBufferPointer { nk in
                        nextItems.withUnsafeMutableBufferPointer { no in
                            for j in 0..<n {
                                let b = Int((k[j] >> shift) & mask)
                                nk[start[b]] = k[j]
                                no[start[b]] = o[j]
                                start[b] &+= 1
                            }
                        }
                    }
                }
            }
        }
        swap(&key, &nextKey)
        swap(&items, &nextItems)
    }
}
