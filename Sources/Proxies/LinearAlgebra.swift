import Foundation

/// Eigenvalues of a symmetric matrix (row-major, size x size) by the cyclic Jacobi method: rotations zero the
/// off-diagonal entries one pair at a time until their sum of squares is negligible against the matrix's.
func symmetricEigenvalues(_ matrix: [Double], size n: Int) -> [Double] {
    var a = matrix
    let total = a.reduce(0) { $0 + $1 * $1 }
    for _ in 0..<100 {
        var off = 0.0
        for i in 0..<n { for j in (i + 1)..<n { off += a[i * n + j] * a[i * n + j] } }
        if off <= 1e-30 * total { break }
        for p in 0..<n {
            for q in (p + 1)..<n where a[p * n + q] != 0 {
                let apq = a[p * n + q]
                let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                // A <- J^T A J with J the rotation in the (p, q) plane.
                for k in 0..<n {
                    let akp = a[k * n + p], akq = a[k * n + q]
                    a[k * n + p] = c * akp - s * akq
                    a[k * n + q] = s * akp + c * akq
                }
                for k in 0..<n {
                    let apk = a[p * n + k], aqk = a[q * n + k]
                    a[p * n + k] = c * apk - s * aqk
                    a[q * n + k] = s * apk + c * aqk
                }
            }
        }
    }
    return (0..<n).map { a[$0 * n + $0] }
}

/// log|det A| of a square matrix (row-major) by LU decomposition with partial pivoting (numpy's slogdet's
/// log-absolute-determinant); -infinity for a singular matrix.
func logAbsDeterminant(_ matrix: [Double], size n: Int) -> Double {
    var a = matrix
    var result = 0.0
    for col in 0..<n {
        var pivot = col
        for r in (col + 1)..<n where abs(a[r * n + col]) > abs(a[pivot * n + col]) { pivot = r }
        guard a[pivot * n + col] != 0 else { return -.infinity }
        if pivot != col { for k in 0..<n { a.swapAt(col * n + k, pivot * n + k) } }
        let d = a[col * n + col]
        result += log(abs(d))
        for r in (col + 1)..<n {
            let f = a[r * n + col] / d
            guard f != 0 else { continue }
            for k in col..<n { a[r * n + k] -= f * a[col * n + k] }
        }
    }
    return result
}
