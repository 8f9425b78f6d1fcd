/// A statistic of how well predicted scores rank items by their true scores (higher is better in both),
/// as the bootstrap resamples it.
public enum RankingMetric: Hashable, Sendable, CustomStringConvertible {
    case kendallTau(KendallVariant)
    case spearman
    case pearson
    case precisionAtTop(k: Int)
    case precisionAtBottom(k: Int)
    case bestTrueRankInTop(k: Int)
    case worstTrueRankInTop(k: Int)

    public var description: String {
        switch self {
        case let .kendallTau(variant): "kendall_tau_\(variant.rawValue)"
        case .spearman: "spearman_rho"
        case .pearson: "pearson_r"
        case let .precisionAtTop(k): "precision_top\(k)"
        case let .precisionAtBottom(k): "precision_bottom\(k)"
        case let .bestTrueRankInTop(k): "best_true_rank_top\(k)"
        case let .worstTrueRankInTop(k): "worst_true_rank_top\(k)"
        }
    }

    var k: Int? {
        switch self {
        case let .precisionAtTop(k), let .precisionAtBottom(k), let .bestTrueRankInTop(k), let .worstTrueRankInTop(k): k
        default: nil
        }
    }
}

/// Paired predicted and true scores, held as order keys (and raw scores, which only Pearson needs), so that a
/// resample is a gather of integers.
struct RankedSample {
    var predicted: OrderKeys
    var truth: OrderKeys
    var predictedScores: [Double]?
    var truthScores: [Double]?

    init(predicted: [Double], truth: [Double], keepScores: Bool) {
        self.predicted = OrderKeys(denseRanksOf: predicted)
        self.truth = OrderKeys(denseRanksOf: truth)
        if keepScores { predictedScores = predicted; truthScores = truth }
    }

    init(predicted: OrderKeys, truth: OrderKeys, predictedScores: [Double]?, truthScores: [Double]?) {
        self.predicted = predicted
        self.truth = truth
        self.predictedScores = predictedScores
        self.truthScores = truthScores
    }

    var count: Int { predicted.keys.count }

    func resampled(_ indices: [Int32]) -> RankedSample {
        RankedSample(predicted: predicted.gathered(indices), truth: truth.gathered(indices),
                     predictedScores: predictedScores.map { s in indices.map { s[Int($0)] } },
                     truthScores: truthScores.map { s in indices.map { s[Int($0)] } })
    }

    /// The metrics on this sample, NaN where one is undefined (a constant ranking). Shared work
    /// (pair counts, top-k sets) is done once.
    func values(_ metrics: [RankingMetric]) -> [Double] {
        var pairCounts: PairCounts?
        var topK: [Int: TopKAgreement] = [:]
        return metrics.map { metric in
            switch metric {
            case let .kendallTau(variant):
                if pairCounts == nil { pairCounts = PairCounts(x: predicted, y: truth) }
                return (try? kendallStatistic(pairCounts!, variant: variant)) ?? .nan
            case .spearman:
                return (try? spearmanStatistic(predicted, truth)) ?? .nan
            case .pearson:
                return (try? pearsonStatistic(predictedScores!, truthScores!)) ?? .nan
            default:
                let k = metric.k!
                if topK[k] == nil { topK[k] = topKAgreement(k: k, predicted, truth) }
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
}
