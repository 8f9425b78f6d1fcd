/// How well a predicted ranking finds the truly best (and worst) k items. Higher scores are better in both.
///
/// Ties at the k-th place make "the top k" ambiguous, so precision is the expected overlap of the two top-k
/// sets when ties are broken uniformly at random (an item tied at the boundary is in with probability
/// free places / tied items), divided by k: exact, and independent of item order.
/// True ranks are competition ranks: 1 + the number of items with a strictly better true score.
/// Best and worst true rank are taken over every item the predicted top k can contain, boundary ties included.
public struct TopKAgreement: Sendable, Equatable {
    public var k: Int
    /// Expected |predicted top k ∩ true top k| / k.
    public var precisionAtTop: Double
    /// Expected |predicted bottom k ∩ true bottom k| / k.
    public var precisionAtBottom: Double
    /// The best (smallest) true rank among the predicted top k.
    public var bestTrueRankInTop: Int
    /// The worst (largest) true rank among the predicted top k.
    public var worstTrueRankInTop: Int
}

/// Top-k and bottom-k agreement of `predicted` with `truth`; k in 1...n.
public func topKAgreement(
    k: Int, predicted: [Double], truth: [Double], nanPolicy: NaNPolicy = .error
) throws(RankingError) -> TopKAgreement {
    let (p, t) = try checkedPairs(predicted, truth, nanPolicy: nanPolicy)
    guard (1...p.count).contains(k) else { throw .invalidK(k: k, count: p.count) }
    return topKAgreement(k: k, OrderKeys(denseRanksOf: p), OrderKeys(denseRanksOf: t))
}

func topKAgreement(k: Int, _ predicted: OrderKeys, _ truth: OrderKeys) -> TopKAgreement {
    let pCount = predicted.counts, tCount = truth.counts
    let pTop = topInclusion(predicted, pCount, k: k, fromTop: true)
    let tTop = topInclusion(truth, tCount, k: k, fromTop: true)
    let pBottom = topInclusion(predicted, pCount, k: k, fromTop: false)
    let tBottom = topInclusion(truth, tCount, k: k, fromTop: false)
    // Competition rank of each truth key: 1 + items with a larger key.
    var trueRankOfKey = [Int](repeating: 0, count: truth.bound)
    var better = 0
    for v in stride(from: truth.bound - 1, through: 0, by: -1) {
        trueRankOfKey[v] = better + 1
        better += Int(tCount[v])
    }
    var top = 0.0, bottom = 0.0, best = Int.max, worst = 0
    for i in predicted.keys.indices {
        top += pTop[i] * tTop[i]
        bottom += pBottom[i] * tBottom[i]
        if pTop[i] > 0 {
            let rank = trueRankOfKey[Int(truth.keys[i])]
            best = min(best, rank)
            worst = max(worst, rank)
        }
    }
    return TopKAgreement(k: k, precisionAtTop: top / Double(k), precisionAtBottom: bottom / Double(k),
                         bestTrueRankInTop: best, worstTrueRankInTop: worst)
}

/// The probability that each item is among the k largest (or smallest) keys under random tie-breaking.
private func topInclusion(_ o: OrderKeys, _ count: [Int32], k: Int, fromTop: Bool) -> [Double] {
    var taken = 0, boundary = 0
    for step in 0..<o.bound {
        boundary = fromTop ? o.bound - 1 - step : step
        if taken + Int(count[boundary]) >= k { break }
        taken += Int(count[boundary])
    }
    let share = Double(k - taken) / Double(count[boundary])
    return o.keys.map { key in
        let v = Int(key)
        if v == boundary { return share }
        return (fromTop ? v > boundary : v < boundary) ? 1 : 0
    }
}
