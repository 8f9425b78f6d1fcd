import Engine
import Networks

/// snip, grad_norm and nwot from one training-mode forward of the batch (BatchNorm on batch statistics, as the
/// reference measures a freshly built network in train mode) and the cross-entropy backward.
/// - snip: sum over Conv/Linear weights of |theta * dL/dtheta| (the reference's |dL/dmask| at mask = 1),
///   L = mean cross-entropy over the batch.
/// - grad_norm: sum over Conv/Linear weight tensors of the L2 norm of dL/dtheta (a sum of per-layer norms).
/// - nwot: log|det K| of the Hamming-similarity kernel of the ReLU codes seen in that forward (NASWOTKernel).
func lossGradientProxies(_ network: NB201Network, batch: ProxyBatch) -> (snip: Double, gradNorm: Double, nwot: Double) {
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
    return (snip, gradNorm, kernel.logAbsDeterminant())
}
