import Foundation
import Ranking

/// The report's charts computed from a ranking against the truth: scatter plots of estimate against truth and the tau-b matrix.
extension GroundTruthRanking {
    /// The compared (estimate, truth) pairs as a scatter plot titled with the estimator and its Kendall tau-b.
    public func scatterPlot(_ estimator: EstimatorScores, maxPoints: Int = 3000) throws -> ScatterPlot {
        let (p, t, _) = pairs(estimator)
        guard p.count >= 2 else { throw GroundTruthRankingError.noOverlap(estimator: estimator.name) }
        let tau = try kendallTau(p, t, variant: .b).statistic
        let proto = rankingProtocol
        return ScatterPlot(title: "\(estimator.name): Kendall tau-b = \(String(format: "%.3f", tau))",
                           xLabel: "\(estimator.name) (estimate)",
                           yLabel: "\(proto.dataset) \(proto.split) accuracy % (hp \(proto.hp), seed \(proto.seedPolicy))",
                           points: zip(p, t).map { (x: $0, y: $1) }, maxPoints: maxPoints, seed: proto.bootstrapSeed)
    }

    /// Kendall tau-b between every pair among the estimators and the ground truth (the last row and column).
    /// Two estimators are compared on the architectures both score, under the ranking's subset; an estimator
    /// against the truth on exactly the pairs its ranking row uses. nil where fewer than 2 pairs remain.
    public func kendallMatrix(_ estimators: [EstimatorScores]) -> [[Double?]] {
        let n = estimators.count
        func tau(_ a: [Double], _ b: [Double]) -> Double? {
            a.count >= 2 ? try? kendallTau(a, b, variant: .b).statistic : nil
        }
        var matrix = [[Double?]](repeating: [Double?](repeating: nil, count: n + 1), count: n + 1)
        for i in 0...n {
            matrix[i][i] = 1
            for j in (i + 1)..<(n + 1) {
                let value: Double?
                if j == n {
                    let (p, t, _) = pairs(estimators[i])
                    value = tau(p, t)
                } else {
                    let a = estimators[i], b = estimators[j]
                    let (pa, _, ka) = pairs(EstimatorScores(name: a.name, source: a.source, scores: a.scores.filter { b.scores[$0.key] != nil }))
                    let (pb, _, kb) = pairs(EstimatorScores(name: b.name, source: b.source, scores: b.scores.filter { a.scores[$0.key] != nil }))
                    precondition(ka == kb)
                    value = tau(pa, pb)
                }
                matrix[i][j] = value
                matrix[j][i] = value
            }
        }
        return matrix
    }

    public func heatMap(_ estimators: [EstimatorScores]) -> CorrelationHeatMap {
        CorrelationHeatMap(title: "Kendall tau-b between estimators and ground truth (\(rankingProtocol.subset))",
                           labels: estimators.map(\.name) + ["ground truth"], values: kendallMatrix(estimators))
    }
}
