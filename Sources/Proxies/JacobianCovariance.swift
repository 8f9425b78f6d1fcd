import Foundation

/// jacob_cov (Mellor et al. 2021 v1, as scored by Abdelfattah et al. 2021) from J = dR/dx, R = the sum of all
/// logits of the batch (training-mode BatchNorm, so images interact through the batch statistics exactly as in
/// the reference's `y.backward(ones_like(y))`), one row per image: C = the correlation matrix of the rows
/// (numpy's corrcoef); score = -sum over eigenvalues v of C of (log(v + 1e-5) + 1 / (v + 1e-5)).
/// nil where the reference gets NaN: a row with zero variance, or an eigenvalue <= -1e-5.
func jacobianCovarianceScore(_ jacobian: UnsafePointer<Float>, images: Int, length: Int) -> Double? {
    guard let corr = correlationMatrix(rows: jacobian, count: images, length: length) else { return nil }
    let k = 1e-5
    var score = 0.0
    for v in symmetricEigenvalues(corr, size: images) {
        guard v + k > 0 else { return nil }
        score -= log(v + k) + 1 / (v + k)
    }
    return score
}
/// Pearson correlation between rows (numpy.corrcoef of a [count, length] matrix), in Float64; nil if a row is
/// constant.
func correlationMatrix(rows: UnsafePointer<Float>, count: Int, length: Int) -> [Double]? {
    var centred = [Double](repeating: 0, count: count * length)
    for r in 0..<count {
        var mean = 0.0
        for c in 0..<length { mean += Double(rows[r * length + c]) }
        mean /= Double(length)
        for c in 0..<length { centred[r * length + c] = Double(rows[r * length + c]) - mean }
    }
    var cov = [Double](repeating: 0, count: count * count)
    for i in 0..<count {
        for j in i..<count {
            var s = 0.0
            for c in 0..<length { s += centred[i * length + c] * centred[j * length + c] }
            cov[i * count + j] = s
            cov[j * count + i] = s
        }
    }
    let scale = (0..<count).map { cov[$0 * count + $0].squareRoot() }
    guard scale.allSatisfy({ $0 > 0 }) else { return nil }
    return (0..<(count * count)).map { cov[$0] / (scale[$0 / count] * scale[$0 % count]) }
}
