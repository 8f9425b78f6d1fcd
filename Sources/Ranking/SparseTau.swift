/// Scores rounded half-to-even to `decimals` places, as numpy.round: differences below the resolution of the
/// ground truth become ties.
public func roundedScores(_ scores: [Double], decimals: Int) throws(RankingError) -> [Double] {
    guard (0...22).contains(decimals) else { throw .invalidDecimals(decimals) }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 } // exact up to 10^22
    return scores.map { ($0 * scale).rounded(.toNearestOrEven) / scale }
}

/// "Sparse" Kendall tau (Ning et al., 2021): the ground truth is rounded to `decimals` places before ranking,
/// so architectures whose true accuracies agree to that resolution count as tied. Tau-b and its p-value.
public func sparseKendallTau(
    predicted: [Double], truth: [Double], decimals: Int,
    alternative: Alternative = .twoSided, nanPolicy: NaNPolicy = .error
) throws(RankingError) -> CorrelationResult {
    try kendallTau(predicted, roundedScores(truth, decimals: decimals), variant: .b,
                   alternative: alternative, nanPolicy: nanPolicy)
}
