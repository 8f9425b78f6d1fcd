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
