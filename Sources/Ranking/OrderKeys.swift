/// Scores reduced to their order: key[i] in 0..<bound, equal scores share a key, a larger score has a larger key.
/// Every rank statistic depends on the scores only through these keys, which lets the bootstrap resample
/// integer keys and sort them in linear time (counting sort) instead of re-sorting doubles.
struct OrderKeys {
    private(set) var keys: [Int32]
    let bound: Int
    /// How many items carry each key (kept because every statistic needs it).
    let counts: [Int32]

    /// Dense ranks 0..<distinct of `values` (no NaN), from a linear-time distribution sort.
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

    /// The keys of the items at `indices` (a resample); the bound stays valid.
    func gathered(_ indices: [Int32]) -> OrderKeys {
        OrderKeys(keys: keys.withUnsafeBufferPointer { k in indices.map { k[Int($0)] } }, bound: bound)
    }

    /// The same items with the keys of items i and j exchanged where `swapped` says so.
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
        let count = counts
        var rankOfKey = [Double](repeating: 0, count: bound)
        var below = 0
        for v in 0..<bound {
            rankOfKey[v] = Double(below) + Double(Int(count[v]) + 1) / 2
            below += Int(count[v])
        }
        return keys.map { rankOfKey[Int($0)] }
    }
}

/// Indices of `values` in ascending order, ties in the order they have in `initial` (default: index order).
/// Two stages: an LSD radix sort on the values rounded to Float (rounding is monotone, so it can only merge
/// neighbours, never swap them), its 32 key bits packed above the item's position so each pass moves one
/// word; then each run of equal Float keys is put in exact order by insertion sort (typically runs of equal
/// doubles, which need no moves). If the runs need more than 4n moves, the full 64-bit radix sort takes over.
func sortedOrder(_ values: [Double], startingFrom initial: [Int32]? = nil) -> [Int32] {
    let n = values.count
    let initial = initial ?? (0..<Int32(n)).map { $0 }
    guard n > 1 else { return initial }
    var key = [UInt64](repeating: 0, count: n)
    values.withUnsafeBufferPointer { v in
        for (position, item) in initial.enumerated() {
            let b = (Float(v[Int(item)]) + 0).bitPattern // + 0 turns -0 into 0
            let ordered = b & (1 << 31) != 0 ? ~b : b | (1 << 31)
            key[position] = UInt64(ordered) << 32 | UInt64(position)
        }
    }
    radixSort(&key, bits: 32..<64)
    var order = [Int32](repeating: 0, count: n)
    var moves = 0
    values.withUnsafeBufferPointer { v in
        order.withUnsafeMutableBufferPointer { o in
            var runStart = 0
            for j in 0..<n {
                o[j] = initial[Int(key[j] & 0xFFFF_FFFF)]
                if j > 0 && key[j] >> 32 != key[j - 1] >> 32 { runStart = j }
                guard j > runStart else { continue }
                let item = o[j], value = v[Int(item)]
                var i = j
                while i > runStart && v[Int(o[i - 1])] > value { o[i] = o[i - 1]; i -= 1 }
                o[i] = item
                moves += j - i
            }
        }
        if moves > 4 * n { order = radixOrder(values, startingFrom: initial) }
    }
    return order
}

/// Stable LSD radix sort of `key` on the bits in `bits`, 11 bits a pass; passes whose digit is the same for
/// every key are skipped.
func radixSort(_ key: inout [UInt64], bits: Range<Int>) {
    let n = key.count, digit = 11, buckets = 1 << digit
    guard n > 1 else { return }
    let shifts = Array(stride(from: bits.lowerBound, to: bits.upperBound, by: digit))
    var histograms = [Int](repeating: 0, count: shifts.count * buckets)
    histograms.withUnsafeMutableBufferPointer { h in
        for v in key {
            for (d, shift) in shifts.enumerated() { h[d * buckets + Int((v >> UInt64(shift)) & UInt64(buckets - 1))] += 1 }
        }
    }
    var next = key
    var start = [Int](repeating: 0, count: buckets)
    for (d, shift) in shifts.enumerated() {
        let width = min(digit, bits.upperBound - shift)
        let mask = UInt64(1 << width - 1), base = d * buckets, shift = UInt64(shift)
        if histograms[base + Int((key[0] >> shift) & mask)] == n { continue }
        start[0] = 0
        for b in 1..<buckets { start[b] = start[b - 1] + histograms[base + b - 1] }
        start.withUnsafeMutableBufferPointer { start in
            key.withUnsafeBufferPointer { k in
                next.withUnsafeMutableBufferPointer { out in
                    for j in 0..<n {
                        let b = Int((k[j] >> shift) & mask)
                        out[start[b]] = k[j]
                        start[b] &+= 1
                    }
                }
            }
        }
        swap(&key, &next)
    }
}

/// Indices of `values` in ascending order, ties in the order they have in `initial` (default: index order).
/// LSD radix sort on the order-preserving bit patterns, 11 bits a pass; passes whose digit is the same for
/// every value are skipped (scores in a narrow range share their exponent bits). -0.0 and 0.0 sort together.
func radixOrder(_ values: [Double], startingFrom initial: [Int32]? = nil) -> [Int32] {
    let n = values.count
    var order = initial ?? (0..<Int32(n)).map { $0 }
    guard n > 1 else { return order }
    let bits = 11, buckets = 1 << bits, passes = (64 + bits - 1) / bits
    var key = order.map { i -> UInt64 in
        let b = (values[Int(i)] + 0.0).bitPattern // + 0.0 turns -0.0 into 0.0
        return b & (1 << 63) != 0 ? ~b : b | (1 << 63)
    }
    var histograms = [Int](repeating: 0, count: passes * buckets)
    histograms.withUnsafeMutableBufferPointer { h in
        for v in key {
            for d in 0..<passes { h[d * buckets + Int((v >> UInt64(d * bits)) & UInt64(buckets - 1))] += 1 }
        }
    }
    var nextKey = key, nextOrder = order
    var start = [Int](repeating: 0, count: buckets)
    for d in 0..<passes {
        let shift = UInt64(d * bits), mask = UInt64(buckets - 1), base = d * buckets
        if histograms[base + Int((key[0] >> shift) & mask)] == n { continue }
        start[0] = 0
        for b in 1..<buckets { start[b] = start[b - 1] + histograms[base + b - 1] }
        start.withUnsafeMutableBufferPointer { start in
            key.withUnsafeBufferPointer { k in
                order.withUnsafeBufferPointer { o in
                    nextKey.withUnsafeMutableBufferPointer { nk in
                        nextOrder.withUnsafeMutableBufferPointer { no in
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
        swap(&order, &nextOrder)
    }
    return order
}
