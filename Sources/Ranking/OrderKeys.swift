/// Scores reduced to their order: key[i] in 0..<bound, equal scores share a key, a larger score has a larger key.
/// Every rank statistic depends on the scores only through these keys, so integer keys can be re-sorted in
/// linear time (counting sort) and the bootstrap never touches the doubles again.
struct OrderKeys {
    let keys: [Int32]
    let bound: Int
    /// How many items carry each key (kept because every statistic needs it).
    let counts: [Int32]

    /// Dense ranks 0..<distinct of `values` (no NaN), from the linear-time `sortedOrder`.
    init(denseRanksOf values: [Double]) {
        let order = sortedOrder(values)
        var keys = [Int32](repeating: 0, count: values.count)
        var counts: [Int32] = []
        values.withUnsafeBufferPointer { v in
            keys.withUnsafeMutableBufferPointer { k in
                var previous = order.first.map { v[Int($0)] } ?? 0, run: Int32 = 0
                for item in order {
                    let value = v[Int(item)]
                    if value != previous { counts.append(run); run = 0; previous = value }
                    k[Int(item)] = Int32(counts.count)
                    run += 1
                }
                if run > 0 { counts.append(run) }
            }
        }
        self.keys = keys
        self.bound = counts.count
        self.counts = counts
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

    /// `order` (a permutation of the items) stably re-sorted by key: a counting sort, O(n + bound).
    func stablySorted(_ order: [Int32]) -> [Int32] {
        var start = [Int](repeating: 0, count: bound + 1)
        for v in 0..<bound { start[v + 1] = start[v] + Int(counts[v]) }
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

/// Indices of `values` in ascending order, ties in the order they have in `initial` (default: index order).
/// Two stages: an LSD radix sort on the values rounded to Float (rounding is monotone, so it can only merge
/// neighbours, never swap them: three 11-bit passes instead of six); then each run of equal Float keys is
/// put in exact order by insertion sort (typically runs of equal doubles, which need no moves). If the runs
/// need more than 4n moves (many values closer than Float resolution, or beyond its range), a radix sort on
/// all 64 bits takes over, so no input is quadratic. -0.0 and 0.0 sort together (they compare equal).
func sortedOrder(_ values: [Double], startingFrom initial: [Int32]? = nil) -> [Int32] {
    let n = values.count
    var order = initial ?? (0..<Int32(n)).map { $0 }
    guard n > 1 else { return order }
    var key = order.map { orderedBits(Float(values[Int($0)])) }
    radixSort(&key, carrying: &order, bits: 0..<32)
    var moves = 0
    values.withUnsafeBufferPointer { v in
        order.withUnsafeMutableBufferPointer { o in
            var runStart = 0
            for j in 1..<n {
                if key[j] != key[j - 1] { runStart = j; continue }
                let item = o[j], value = v[Int(item)]
                var i = j
                while i > runStart && v[Int(o[i - 1])] > value { o[i] = o[i - 1]; i -= 1 }
                o[i] = item
                moves += j - i
            }
        }
    }
    if moves > 4 * n {
        order = initial ?? (0..<Int32(n)).map { $0 }
        var fullKey = order.map { orderedBits(values[Int($0)]) }
        radixSort(&fullKey, carrying: &order, bits: 0..<64)
    }
    return order
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
/// digit is the same for every key are skipped (scores in a narrow range share their exponent bits). 32-bit keys
/// (the Float stage) move a third fewer bytes per pass than 64-bit ones.
func radixSort<Key: FixedWidthInteger & UnsignedInteger>(_ key: inout [Key], carrying items: inout [Int32], bits: Range<Int>) {
    let n = key.count, digit = 11, buckets = 1 << digit
    guard n > 1 else { return }
    let shifts = Array(stride(from: bits.lowerBound, to: bits.upperBound, by: digit))
    var histograms = [Int](repeating: 0, count: shifts.count * buckets)
    histograms.withUnsafeMutableBufferPointer { h in
        for v in key {
            for (d, shift) in shifts.enumerated() { h[d * buckets + Int((v >> Key(shift)) & Key(buckets - 1))] += 1 }
        }
    }
    var nextKey = key, nextItems = items
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
