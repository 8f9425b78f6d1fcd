import Engine
import Foundation
import Networks

/// snip, grad_norm, nwot and jacob_cov from ONE training-mode forward of the batch (BatchNorm on batch statistics,
/// as the reference measures a freshly built network in train mode) and two backward passes from it: the
/// cross-entropy's, then the summed logits' (a backward reads the forward's saved state and changes none of it).
/// - snip: sum over Conv/Linear weights of |theta * dL/dtheta| (the reference's |dL/dmask| at mask = 1),
///   L = mean cross-entropy over the batch.
/// - grad_norm: sum over Conv/Linear weight tensors of the L2 norm of dL/dtheta (a sum of per-layer norms).
/// - nwot: log|det K| of the Hamming-similarity kernel of the ReLU codes seen in the forward (NASWOTKernel).
/// - jacob_cov: see `jacobianCovarianceScore`.
func batchProxies(_ network: NB201Network, batch: ProxyBatch) -> (snip: Double, gradNorm: Double, nwot: Double, jacobCov: Double?) {
    network.phase = .training
    for p in network.parameters { p.grad.zero() }
    let kernel = NASWOTKernel(batch: batch.count)
    network.reluObserver = { input, shape in kernel.add(input, shape) }
    let logits = batch.images.withUnsafeBufferPointer { network.forward(images: $0.baseAddress!, batch: batch.count) }
    network.reluObserver = nil
    let dz = Tensor(shape: logits.shape)
    _ = batch.labels.withUnsafeBufferPointer {
        softmaxCrossEntropy(logits: logits.data, labels: $0.baseAddress!, batch: batch.count, classes: logits.shape[1], logitsGrad: dz.data)
    }
    network.backward(logitsGrad: dz.data)
    var snip = 0.0, gradNorm = 0.0
    for p in scoredParameters(network) {
        var saliency = 0.0, squares = 0.0
        for i in 0..<p.count {
            let g = Double(p.grad.data[i])
            saliency += abs(Double(p.value.data[i]) * g)
            squares += g * g
        }
        snip += saliency
        gradNorm += squares.squareRoot()
    }
    // The Jacobian of the summed logits: dR/dlogits = 1 for every image and class.
    for i in 0..<dz.count { dz[i] = 1 }
    let jacobian = Tensor(shape: [batch.images.count])
    network.backward(logitsGrad: dz.data, inputGrad: jacobian.data)
    let jacobCov = jacobianCovarianceScore(jacobian.data, images: batch.count, length: batch.images.count / batch.count)
    return (snip, gradNorm, kernel.logAbsDeterminant(), jacobCov)
}
