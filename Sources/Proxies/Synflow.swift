import Engine
import Foundation
import Networks

/// synflow (Tanaka et al. 2020 as scored by Abdelfattah et al. 2021): on the network WITHOUT BatchNorm, every
/// parameter (the classifier's bias too) replaced by its absolute value, input one all-ones image,
/// R = sum of the logits, score = sum over Conv/Linear weights of |theta * dR/dtheta|.
///
/// The reference runs this in float64 because R overflows float32 at C=16, N=5 (~1e48). Here the engine stays
/// float32: with positive weights and input every ReLU passes everything and the BN-free network is linear in
/// each block's input, so each block boundary's activation (forward) and gradient (backward) is divided by its
/// largest value and the factors are kept as logarithms in Float64. A weight inside block k sees its input
/// scaled by the forward factors before k and its output gradient by the backward factors after k; its
/// |theta * grad| is multiplied back by both. The score is returned in Float64 (up to ~1e300).
/// The network's weights are made non-negative in place.
public func synflow(_ network: NB201Network) -> Double {
    for p in network.parameters {
        for i in 0..<p.count { p.value.data[i] = abs(p.value.data[i]) }
        p.grad.zero()
    }
    let boundaries = network.blockCount + 1
    var forwardLog = [Double](repeating: 0, count: boundaries)   // log of the factor divided out at boundary i
    var backwardLog = [Double](repeating: 0, count: boundaries)
    func normalise(_ values: UnsafeMutablePointer<Float>, _ count: Int) -> Double {
        var largest: Float = 0
        for i in 0..<count { largest = max(largest, abs(values[i])) }
        guard largest > 0, largest.isFinite else { return 0 }
        let inverse = 1 / largest
        for i in 0..<count { values[i] *= inverse }
        return log(Double(largest))
    }
    network.boundaryScaling = BoundaryScaling(
        forward: { v, n, i in forwardLog[i] = normalise(v, n) },
        backward: { v, n, i in backwardLog[i] = normalise(v, n) })
    defer { network.boundaryScaling = nil }
    let r = network.shape.resolution
    let ones = [Float](repeating: 1, count: 3 * r * r)
    let logits = ones.withUnsafeBufferPointer { network.forward(images: $0.baseAddress!, batch: 1) }
    let dR = Tensor(shape: logits.shape)
    for i in 0..<dR.count { dR[i] = 1 }
    network.backward(logitsGrad: dR.data)
    var score = 0.0
    for p in scoredParameters(network) {
        // Block of the parameter: stem = before boundary 0, `cells.k` = block k (between boundaries k and k+1),
        // classifier = after the last boundary.
        let block = blockIndex(ofParameter: p.name, blockCount: network.blockCount)
        let inputLog = block < 0 ? 0 : forwardLog[0...min(block, boundaries - 1)].reduce(0, +)
        let outputLog = block + 1 < boundaries ? backwardLog[(block + 1)...].reduce(0, +) : 0
        var sum = 0.0
        for i in 0..<p.count { sum += Double(abs(p.value.data[i] * p.grad.data[i])) }
        score += sum * exp(inputLog + outputLog)
    }
    return score
}

/// -1 for the stem, k for `cells.k.*`, `blockCount` for the classifier (`tail.*`, `fc.*`).
func blockIndex(ofParameter name: String, blockCount: Int) -> Int {
    if name.hasPrefix("stem.") { return -1 }
    let parts = name.split(separator: ".")
    if parts.count > 1, parts[0] == "cells", let k = Int(parts[1]) { return k }
    return blockCount
}
