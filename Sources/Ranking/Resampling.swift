import Support

/// Paired predicted and true scores, prepared once so that a bootstrap resample, given as how many times
/// each item was drawn, costs a few O(n) passes and one weighted Fenwick pass, with no sorting: the
/// resample's order by (predicted, truth) is the full sample's order with each item repeated.
struct WeightedSample {
    let predicted: OrderKeys
    let truth: OrderKeys
    /// Raw scores, kept only when Pearson's r is wanted.
    let predictedScores: [Double]?
    let truthScores: [Double]?
    /// Items in (predicted, truth) order, whether each equals its predecessor in both, and each one's place
    /// in a stable sort of that sequence by truth (equal truths keep sequence order).
    private let byXY: [Int32]
    private let sameAsPrevious: [Bool]
    private let truthPlace: [Int32]

    init(predicted: OrderKeys, truth: OrderKeys, predictedScores: [Double]? = nil, truthScores: [Double]? = nil) {
        self.predicted = predicted
        self.truth = truth
        self.predictedScores = predictedScores
        self.truthScores = truthScores
        let n = predicted.keys.count
        byXY = predicted.itemsInOrder(thenBy: truth)
        var same = [Bool](repeating: false, count: n)
        for j in 1..<max(n, 1) {
            let a = Int(byXY[j - 1]), b = Int(byXY[j])
            same[j] = predicted.keys[a] == predicted.keys[b] && truth.keys[a] == truth.keys[b]
        }
        sameAsPrevious = same
        var place = [Int32](repeating: 0, count: n)
        for (p, j) in OrderKeys(keys: byXY.map { truth.keys[Int($0)] }, bound: truth.bound).itemsInOrder().enumerated() {
            place[Int(j)] = Int32(p)
        }
        truthPlace = place
    }

    var count: Int { predicted.keys.count }

    /// Each item drawn once: the sample itself.
    var once: [Int32] { [Int32](repeating: 1, count: count) }

    /// The metrics on the resample that draws item i `drawn[i]` times, NaN where one is undefined
    /// (a constant ranking). Shared work (counts, pair counts, top-k sets) is done once.
    func values(_ metrics: [RankingMetric], drawn: [Int32]) -> [Double] {
        let pCount = predicted.counts(drawn: drawn), tCount = truth.counts(drawn: drawn)
        let constant = pCount.filter { $0 > 0 }.count < 2 || tCount.filter { $0 > 0 }.count < 2
        var pairCounts: PairCounts?
        var topK: [Int: TopKAgreement] = [:]
        return metrics.map { metric in
            switch metric {
            case let .kendallTau(variant):
                if constant { return .nan }
                if pairCounts == nil { pairCounts = self.pairCounts(drawn: drawn, pCount, tCount) }
                return (try? kendallStatistic(pairCounts!, variant: variant)) ?? .nan
            case .spearman:
                return constant ? .nan : spearman(drawn: drawn, pCount, tCount)
            case .pearson:
                return constant ? .nan : pearson(drawn: drawn)
            default:
                let k = metric.k!
                if topK[k] == nil {
                    topK[k] = topKAgreement(k: k, predicted, truth, drawn: drawn, predictedCounts: pCount, truthCounts: tCount)
                }
                let agreement = topK[k]!
                switch metric {
                case .precisionAtTop: return agreement.precisionAtTop
                case .precisionAtBottom: return agreement.precisionAtBottom
                case .bestTrueRankInTop: return Double(agreement.bestTrueRankInTop)
                default: return Double(agreement.worstTrueRankInTop)
                }
            }
        }
    }

    /// Walks the items in (predicted, truth) order, each standing for its copies: copies of one item tie in
    /// both, and the copies seen earlier with a larger truth place are the discordant partners.
    private func pairCounts(drawn: [Int32], _ pCount: [Int32], _ tCount: [Int32]) -> PairCounts {
        var run = 0, joint = 0
        let copies = byXY.map { drawn[Int($0)] }
        for j in 0..<count {
            let w = Int(copies[j])
            run = sameAsPrevious[j] ? run + w : w
            joint += w * (run - w) + w * (w - 1) / 2
        }
        return PairCounts(n: count, discordant: weightedInversions(places: truthPlace, copies: copies),
                          jointTies: joint, xCounts: pCount, yCounts: tCount)
    }

    /// Spearman's rho of the resample: average ranks from the drawn counts, centred sums weighted by draws
    /// (exact: ranks are multiples of 1/2), combined as numpy.corrcoef does.
    private func spearman(drawn: [Int32], _ pCount: [Int32], _ tCount: [Int32]) -> Double {
        let rx = averageRankOfKey(pCount), ry = averageRankOfKey(tCount)
        let n = Double(count), mean = (n + 1) / 2
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<count where drawn[i] > 0 {
            let w = Double(drawn[i])
            let dx = rx[Int(predicted.keys[i])] - mean, dy = ry[Int(truth.keys[i])] - mean
            sxy += w * dx * dy; sxx += w * dx * dx; syy += w * dy * dy
        }
        return min(1, max(-1, (sxy / (n - 1)) / (sxx / (n - 1)).squareRoot() / (syy / (n - 1)).squareRoot()))
    }

    /// Pearson's r of the resample's raw scores, weighted by draws.
    private func pearson(drawn: [Int32]) -> Double {
        let x = predictedScores!, y = truthScores!
        let drawn = drawn.map(Double.init)
        var mx = 0.0, my = 0.0
        for i in 0..<count { mx += drawn[i] * x[i]; my += drawn[i] * y[i] }
        mx /= Double(count); my /= Double(count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<count {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += drawn[i] * dx * dy; sxx += drawn[i] * dx * dx; syy += drawn[i] * dy * dy
        }
        return min(1, max(-1, sxy / sxx.squareRoot() / syy.squareRoot()))
    }
}

/// Average rank (1...n, ties share their mean) of each key, given how many items carry it.
func averageRankOfKey(_ counts: [Int32]) -> [Double] {
    var rank = [Double](repeating: 0, count: counts.count)
    var below = 0
    for (v, c) in counts.enumerated() {
        rank[v] = Double(below) + Double(Int(c) + 1) / 2
        below += Int(c)
    }
    return rank
}

/// How many times each item is drawn in one bootstrap resample: n draws with replacement from 0..<n.
func drawCounts(_ n: Int, _ random: inout SeededRandom) -> [Int32] {
    var drawn = [Int32](repeating: 0, count: n)
    for _ in 0..<n { drawn[random.nextInt(below: n)] += 1 }
    return drawn
}
