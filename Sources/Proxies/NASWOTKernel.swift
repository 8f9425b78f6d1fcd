import Networks

/// NASWOT (Mellor et al. 2021, the `hooklogdet` score of their code): every ReLU module's input is turned into a
/// binary code per image (1 where > 0); K[i][j] accumulates, over ReLUs, the number of positions where images i
/// and j agree (codes·codes + (1 - codes)·(1 - codes)); the score is log|det K| (slogdet).
/// A ReLU counts once per module of the PyTorch reference: once per conv edge of a cell (each ReLU-Conv-BN op has
/// its own ReLU, even when two edges read one node), twice per reduction block, once in the classifier.
/// Counts are exact integers held in Float64.
final class NASWOTKernel {
    let batch: Int
    private(set) var matrix: [Double]

    init(batch: Int) {
        self.batch = batch
        matrix = [Double](repeating: 0, count: batch * batch)
    }

    /// Adds one ReLU's input [batch, C, H, W]: agreements = features - popcount(code_i xor code_j).
    func add(_ input: UnsafePointer<Float>, _ shape: FeatureShape) {
        precondition(shape.batch == batch, "kernel for \(batch) images got a batch of \(shape.batch)")
        let features = shape.channels * shape.spatial
        let words = (features + 63) / 64
        var codes = [UInt64](repeating: 0, count: batch * words)
        codes.withUnsafeMutableBufferPointer { c in
            for n in 0..<batch {
                let row = input + n * features
                for w in 0..<words {
                    var bits: UInt64 = 0
                    for b in 0..<min(64, features - w * 64) { bits |= (row[w * 64 + b] > 0 ? 1 : 0) << UInt64(b) }
                    c[n * words + w] = bits
                }
            }
        }
        codes.withUnsafeBufferPointer { c in
            matrix.withUnsafeMutableBufferPointer { k in
                for i in 0..<batch {
                    for j in i..<batch {
                        var differ = 0
                        for w in 0..<words { differ += (c[i * words + w] ^ c[j * words + w]).nonzeroBitCount }
                        let agree = Double(features - differ)
                        k[i * batch + j] += agree
                        if i != j { k[j * batch + i] += agree }
                    }
                }
            }
        }
    }

    func logAbsDeterminant() -> Double { Proxies.logAbsDeterminant(matrix, size: batch) }
}
