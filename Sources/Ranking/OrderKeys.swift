/// Scores reduced to their order: key[i] in 0..<bound, equal scores share a key, a larger score has a larger key.
/// Every rank statistic depends on the scores only through these keys, which lets the bootstrap resample
/// integer keys and sort them in linear time (counting sort) instead of re-sorting doubles.
struct OrderKeys {
    var keys: [Int32]
    var bound: Int

    /// Dense ranks 0..<distinct of `values` (no NaN), found with an LSD radix sort on the IEEE bit patterns.
    init(denseRanksOf values: [Double]) {
        let order = radixOrder(values)
        var keys = [Int32](repeating: 0, count: values.count)
        var rank: Int32 = 0
        for j in order.indices {
            if j > 0 && values[Int(order[j])] != values[Int(order[j - 1])] { rank += 1 }
            keys[Int(order[j])] = rank
        }
        self.keys = keys
        self.bound = values.isEmpty ? 0 : Int(rank) + 1
    }

    init(keys: [Int32], bound: Int) {
        self.keys = keys
        self.bound = bound
    }

    /// The keys of the items at `indices` (a resample); the bound stays valid.
    func gathered(_ indices: [Int32]) -> OrderKeys {
        OrderKeys(keys: indices.map { keys[Int($0)] }, bound: bound)
    }

    /// How many items carry each key.
    func histogram() -> [Int32] {
        var count = [Int32](repeating: 0, count: bound)
        for k in keys { count[Int(k)] += 1 }
        return count
    }

    /// `order` (a permutation of the items) stably re-sorted by key: a counting sort, O(n + bound).
    func stablySorted(_ order: [Int32], histogram count: [Int32]) -> [Int32] {
        var start = [Int](repeating: 0, count: bound + 1)
        for v in 0..<bound { start[v + 1] = start[v] + Int(count[v]) }
        var sorted = [Int32](repeating: 0, count: order.count)
        for i in order {
            let k = Int(keys[Int(i)])
            sorted[start[k]] = i
            start[k] += 1
        }
        return sorted
    }

    /// Average ranks 1...n (ties share the mean of the ranks they span), as scipy.stats.rankdata.
    func averageRanks() -> [Double] {
        let count = histogram()
        var rankOfKey = [Double](repeating: 0, count: bound)
        var below = 0
        for v in 0..<bound {
            rankOfKey[v] = Double(below) + Double(Int(count[v]) + 1) / 2
            below += Int(count[v])
        }
        return keys.map { rankOfKey[Int($0)] }
    }
}

/// Indices of `values` in ascending order, ties in index order. LSD radix sort, 8 bits a pass, passes whose
/// digit is the same for every value skipped. -0.0 and 0.0 sort together (they compare equal).
func radixOrder(_ values: [Double]) -> [Int32] {
    let n = values.count
    guard n > 1 else { return (0..<Int32(n)).map { $0 } }
    var key = values.map { v -> UInt64 in
        let bits = (v + 0.0).bitPattern // + 0.0 turns -0.0 into 0.0
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }
    var order = (0..<Int32(n)).map { $0 }
    var histograms = [Int](repeating: 0, count: 8 * 256)
    for k in key {
        for d in 0..<8 { histograms[d * 256 + Int((k >> (8 * UInt64(d))) & 0xFF)] += 1 }
    }
    var nextKey = key, nextOrder = order
    for d in 0..<8 {
        let base = d * 256
        if histograms[base + Int(key[0] >> (8 * UInt64(d)) & 0xFF)] == n { continue }
        var start = [Int](repeating: 0, count: 256)
        for b in 1..<256 { start[b] = start[b - 1] + histograms[base + b - 1] }
        for j in 0..<n {
            let b = Int((key[j] >> (8 * UInt64(d))) & 0xFF)
            nextKey[start[b]] = key[j]
            nextOrder[start[b]] = order[j]
            start[b] += 1
        }
        swap(&key, &nextKey)
        swap(&order, &nextOrder)
    }
    return order
}
