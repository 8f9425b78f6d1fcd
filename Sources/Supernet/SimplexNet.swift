import Support
import Engine
import Networks
import SearchSpace

/// The simplex-net pi_sigma (KSHOT.md): MLP encoding (30) -> hidden -> ReLU -> K, then softmax(logits / T).
/// It maps a path's one-hot encoding to its simplex code lambda. Forward and backward over a batch of paths.
public final class SimplexNet {
    public let inputs: Int, hidden: Int, k: Int
    public let temperature: Float
    public let w1: Parameter, b1: Parameter, w2: Parameter, b2: Parameter
    private var x: [Float] = [], h: [Float] = [], lambda: [Float] = []
    private var batch = 0

    /// PyTorch's default Linear init from `rng`.
    public init(hidden: Int, k: Int, temperature: Float = 1, inputs: Int = Cell.encodingLength, rng: SeededRandom) {
        precondition(temperature > 0, "the simplex-net's temperature must be positive, got \(temperature)")
        self.inputs = inputs; self.hidden = hidden; self.k = k; self.temperature = temperature
        let builder = ParameterBuilder(rng: rng)
        (w1, b1) = builder.linear("simplex.0", inFeatures: inputs, outFeatures: hidden)
        (w2, b2) = builder.linear("simplex.2", inFeatures: hidden, outFeatures: k)
    }

    public var parameters: [Parameter] { [w1, b1, w2, b2] }

    /// lambda for each of `encodings.count / inputs` paths, row-major [paths, K]; kept for `backward`.
    public func forward(_ encodings: [Float]) -> [Float] {
        precondition(encodings.count % inputs == 0, "\(encodings.count) floats are not whole \(inputs)-float encodings")
        batch = encodings.count / inputs
        x = encodings
        h = [Float](repeating: 0, count: batch * hidden)
        var z = [Float](repeating: 0, count: batch * k)
        x.withUnsafeBufferPointer { xp in
            h.withUnsafeMutableBufferPointer { hp in
                linearForward(output: hp.baseAddress!, input: xp.baseAddress!, weight: w1.value.data, bias: b1.value.data,
                              batch: batch, inFeatures: inputs, outFeatures: hidden)
                for i in 0..<hp.count { hp[i] = max(hp[i], 0) }
                z.withUnsafeMutableBufferPointer { zp in
                    linearForward(output: zp.baseAddress!, input: hp.baseAddress!, weight: w2.value.data, bias: b2.value.data,
                                  batch: batch, inFeatures: hidden, outFeatures: k)
                }
            }
        }
        lambda = z
        for n in 0..<batch {
            let row = n * k
            var top = -Float.infinity
            for j in 0..<k { top = max(top, z[row + j] / temperature) }
            var sum: Float = 0
            for j in 0..<k { lambda[row + j] = expf(z[row + j] / temperature - top); sum += lambda[row + j] }
            for j in 0..<k { lambda[row + j] /= sum }
        }
        return lambda
    }

    /// lambda of one path.
    public func code(_ cell: Cell) -> [Float] { forward(cell.oneHot) }

    /// Adds the parameters' gradients given dL/dlambda [paths, K] for the last forward.
    /// Softmax with temperature: dL/dz_j = lambda_j (g_j - sum_i lambda_i g_i) / T.
    public func backward(_ lambdaGrad: [Float]) {
        precondition(lambdaGrad.count == batch * k, "\(lambdaGrad.count) gradients for \(batch) paths x K = \(k)")
        var dz = [Float](repeating: 0, count: batch * k)
        for n in 0..<batch {
            let row = n * k
            var dot: Float = 0
            for j in 0..<k { dot += lambda[row + j] * lambdaGrad[row + j] }
            for j in 0..<k { dz[row + j] = lambda[row + j] * (lambdaGrad[row + j] - dot) / temperature }
        }
        var dh = [Float](repeating: 0, count: batch * hidden)
        h.withUnsafeBufferPointer { hp in
            dz.withUnsafeBufferPointer { dzp in
                dh.withUnsafeMutableBufferPointer { dhp in
                    linearBackward(inputGrad: dhp.baseAddress!, weightGrad: w2.grad.data, biasGrad: b2.grad.data,
                                   outputGrad: dzp.baseAddress!, input: hp.baseAddress!, weight: w2.value.data,
                                   batch: batch, inFeatures: hidden, outFeatures: k)
                    for i in 0..<dhp.count where hp[i] <= 0 { dhp[i] = 0 }
                }
            }
        }
        x.withUnsafeBufferPointer { xp in
            dh.withUnsafeBufferPointer { dhp in
                linearBackward(inputGrad: nil, weightGrad: w1.grad.data, biasGrad: b1.grad.data, outputGrad: dhp.baseAddress!,
                               input: xp.baseAddress!, weight: w1.value.data, batch: batch, inFeatures: inputs, outFeatures: hidden)
            }
        }
    }
}

/// KL(m || uniform) = sum_k m_k log(K m_k) of the mean code m over the paths of `lambdas` (row-major [paths, K]) and
/// its gradient with respect to every lambda_ik, (log(K m_k) + 1) / paths: zero when the paths use every item equally
/// on average, log K when they all put their whole weight on one item.
public func codeBalancePenalty(_ lambdas: [Float], k: Int) -> (value: Double, gradient: [Float]) {
    let paths = lambdas.count / k
    var mean = [Double](repeating: 0, count: k)
    for (j, lambda) in lambdas.enumerated() { mean[j % k] += Double(lambda) / Double(paths) }
    let logs = mean.map { log(max(Double(k) * $0, 1e-30)) }
    let value = zip(mean, logs).reduce(0) { $0 + $1.0 * $1.1 }
    let gradient = lambdas.indices.map { Float((logs[$0 % k] + 1) / Double(paths)) }
    return (value, gradient)
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
