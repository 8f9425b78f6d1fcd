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
    let predicted = OrderKeys(denseRanksOf: p), truth = OrderKeys(denseRanksOf: t)
    return topKAgreement(k: k, predicted, truth, drawn: [Int32](repeating: 1, count: p.count),
                         predictedCounts: predicted.counts, truthCounts: truth.counts)
}

/// The agreement on the resample that draws item i `drawn[i]` times (all 1: the sample itself), given how
/// many drawn copies carry each key: every copy of an item shares its inclusion probabilities.
func topKAgreement(
    k: Int, _ predicted: OrderKeys, _ truth: OrderKeys, drawn: [Int32], predictedCounts pCount: [Int32],
    truthCounts tCount: [Int32]
) -> TopKAgreement {
    let pTop = inclusionOfKey(pCount, k: k, fromTop: true), tTop = inclusionOfKey(tCount, k: k, fromTop: true)
    let pBottom = inclusionOfKey(pCount, k: k, fromTop: false), tBottom = inclusionOfKey(tCount, k: k, fromTop: false)
    // Competition rank of each truth key: 1 + items with a larger key.
    var trueRankOfKey = [Int](repeating: 0, count: truth.bound)
    var better = 0
    for v in stride(from: truth.bound - 1, through: 0, by: -1) {
        trueRankOfKey[v] = better + 1
        better += Int(tCount[v])
    }
    var top = 0.0, bottom = 0.0, best = Int.max, worst = 0
    for i in predicted.keys.indices {
        guard drawn[i] > 0 else { continue }
        let copies = Double(drawn[i])
        let p = Int(predicted.keys[i]), t = Int(truth.keys[i])
        top += copies * pTop[p] * tTop[t]
        bottom += copies * pBottom[p] * tBottom[t]
        if pTop[p] > 0 {
            best = min(best, trueRankOfKey[t])
            worst = max(worst, trueRankOfKey[t])
        }
    }
    return TopKAgreement(k: k, precisionAtTop: top / Double(k), precisionAtBottom: bottom / Double(k),
                         bestTrueRankInTop: best, worstTrueRankInTop: worst)
}

/// For each key, the probability that an item carrying it is among the k largest (or smallest) under
/// uniformly random tie-breaking, given how many items carry each key.
private func inclusionOfKey(_ count: [Int32], k: Int, fromTop: Bool) -> [Double] {
    var inclusion = [Double](repeating: 0, count: count.count)
    var taken = 0
    for step in count.indices {
        let v = fromTop ? count.count - 1 - step : step
        let c = Int(count[v])
        guard c > 0 else { continue }
        if taken + c >= k {
            inclusion[v] = Double(k - taken) / Double(c)
            break
        }
        inclusion[v] = 1
        taken += c
    }
    return inclusion
}
