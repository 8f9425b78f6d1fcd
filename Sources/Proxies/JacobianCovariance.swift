import Engine
import Foundation
import Networks

/// jacob_cov (Mellor et al. 2021 v1, as scored by Abdelfattah et al. 2021): J = dR/dx for R = the sum of all
/// logits of the batch (training-mode BatchNorm, so images interact through the batch statistics exactly as in
/// the reference's `y.backward(ones_like(y))`), one row per image; C = the correlation matrix of the rows
/// (numpy's corrcoef); score = -sum over eigenvalues v of C of (log(v + 1e-5) + 1 / (v + 1e-5)).
/// nil where the reference gets NaN: a row with zero variance, or an eigenvalue <= -1e-5.
func jacobianCovariance(_ network: NB201Network, batch: ProxyBatch) -> Double? {
    network.phase = .training
    for p in network.parameters { p.grad.zero() }
    let logits = batch.images.withUnsafeBufferPointer { network.forward(images: $0.baseAddress!, batch: batch.count) }
    let ones = Tensor(shape: logits.shape)
    for i in 0..<ones.count { ones[i] = 1 }
    let jacobian = Tensor(shape: [batch.images.count])
    network.backward(logitsGrad: ones.data, inputGrad: jacobian.data)
    guard let corr = correlationMatrix(rows: jacobian.data, count: batch.count, length: batch.images.count / batch.count) else {
        return nil
    }
    let k = 1e-5
    var score = 0.0
    for v in symmetricEigenvalues(corr, size: batch.count) {
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
