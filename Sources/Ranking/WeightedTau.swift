/// Vigna's weighted tau with scipy.stats.weightedtau's defaults: additive hyperbolic weights 1/(r+1), where r
/// is an item's position in the decreasing lexicographic order of (x, y), averaged with the same index
/// computed with the roles of x and y swapped (rank=True). Exchanges among the top items weigh most.
/// O(n log n): Knight's merge sort with weighted exchange counts.
public func weightedTau(_ x: [Double], _ y: [Double], nanPolicy: NaNPolicy = .error) throws(RankingError) -> Double {
    let (x, y) = try checkedPairs(x, y, nanPolicy: nanPolicy)
    let kx = OrderKeys(denseRanksOf: x), ky = OrderKeys(denseRanksOf: y)
    if kx.bound < 2 { throw .constantScores(input: "the first vector") }
    if ky.bound < 2 { throw .constantScores(input: "the second vector") }
    return (weightedRankedTau(kx, ky) + weightedRankedTau(ky, kx)) / 2
}

/// The weighted tau with weights from the decreasing lexicographic rank by (x, y); neither may be constant.
private func weightedRankedTau(_ x: OrderKeys, _ y: OrderKeys) -> Double {
    let n = x.keys.count
    // Ascending by (x, y), ties in index order; the last item has rank 0 and weight 1.
    var perm = x.itemsInOrder(thenBy: y)
    var weight = [Double](repeating: 0, count: n)
    for (position, item) in perm.enumerated() { weight[Int(item)] = 1 / (1 + Double(n - 1 - position)) }

    // Additive weight of the pairs inside each group of consecutive equal items: (group weight) * (size - 1).
    func tiedWeight(_ sameGroup: (Int32, Int32) -> Bool) -> Double {
        var total = 0.0, first = 0, s = weight[Int(perm[0])]
        for i in 1..<n {
            if !sameGroup(perm[first], perm[i]) {
                total += s * Double(i - first - 1)
                first = i
                s = 0
            }
            s += weight[Int(perm[i])]
        }
        return total + s * Double(n - first - 1)
    }
    let jointTies = tiedWeight { x.keys[Int($0)] == x.keys[Int($1)] && y.keys[Int($0)] == y.keys[Int($1)] }
    let xTies = tiedWeight { x.keys[Int($0)] == x.keys[Int($1)] }
    let exchanges = weighExchanges(&perm, y: y.keys, weight: weight) // leaves perm sorted by y
    let yTies = tiedWeight { y.keys[Int($0)] == y.keys[Int($1)] }
    var s = 0.0
    for item in perm { s += weight[Int(item)] }
    let all = s * Double(n - 1)
    let tau = ((all - (yTies + xTies - jointTies)) - 2 * exchanges) / (all - xTies).squareRoot() / (all - yTies).squareRoot()
    return min(1, max(-1, tau))
}

/// Merge-sorts `perm` by y (top-down, left half n/2) and returns the summed weight of the exchanges: when a
/// right item passes the remaining left items, it adds its weight once per passed item plus their weights.
private func weighExchanges(_ perm: inout [Int32], y: [Int32], weight: [Double]) -> Double {
    var temp = [Int32](repeating: 0, count: perm.count)
    var exchanges = 0.0
    func weigh(_ offset: Int, _ length: Int) -> Double {
        if length == 1 { return weight[Int(perm[offset])] }
        let length0 = length / 2, length1 = length - length0, middle = offset + length0
        var residual = weigh(offset, length0)
        let total = weigh(middle, length1) + residual
        if y[Int(perm[middle - 1])] < y[Int(perm[middle])] { return total }
        var i = 0, j = 0, k = 0
        while j < length0 && k < length1 {
            if y[Int(perm[offset + j])] <= y[Int(perm[middle + k])] {
                temp[i] = perm[offset + j]
                residual -= weight[Int(temp[i])]
                j += 1
            } else {
                temp[i] = perm[middle + k]
                exchanges += weight[Int(temp[i])] * Double(length0 - j) + residual
                k += 1
            }
            i += 1
        }
        for r in stride(from: length0 - j - 1, through: 0, by: -1) { perm[offset + i + r] = perm[offset + j + r] }
        for r in 0..<i { perm[offset + r] = temp[r] }
        return total
    }
    _ = weigh(0, perm.count)
    return exchanges
}
