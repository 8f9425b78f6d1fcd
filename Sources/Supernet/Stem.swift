import Engine
import Networks

/// NB201's stem, Conv3x3 (no bias) -> BatchNorm with affine parameters, on the Engine's public kernels
/// (the Networks module keeps its ConvBN calls internal). Its parameters are handed in, so the supernet can
/// give it merged K-shot weights.
final class Stem {
    let weight: Parameter, gamma: Parameter, beta: Parameter
    let statistics: BatchNormStatistics
    private var convOut: Tensor?, output: Tensor?, batchMean: Tensor, batchVariance: Tensor
    private var input: UnsafePointer<Float>?

    init(weight: Parameter, gamma: Parameter, beta: Parameter) {
        self.weight = weight; self.gamma = gamma; self.beta = beta
        let c = weight.value.shape[0]
        statistics = BatchNormStatistics(channels: c)
        batchMean = Tensor(shape: [c]); batchVariance = Tensor(shape: [c])
    }

    private func geometry(_ batch: Int, _ resolution: Int) -> (ConvGeometry, BatchNormGeometry) {
        let c = weight.value.shape[0]
        return (ConvGeometry(inChannels: 3, outChannels: c, kernel: 3, padding: 1, inHeight: resolution, inWidth: resolution),
                BatchNormGeometry(batch: batch, channels: c, spatial: resolution * resolution))
    }

    private func buffer(_ t: inout Tensor?, _ shape: [Int]) -> Tensor {
        if let t, t.shape == shape { return t }
        let n = Tensor(shape: shape)
        t = n
        return n
    }

    /// `images` must stay valid until `backward`.
    func forward(_ images: UnsafePointer<Float>, batch: Int, resolution r: Int, phase: Phase, workspace: Workspace) -> Tensor {
        let (cg, bg) = geometry(batch, r)
        let shape = [batch, cg.outChannels, r, r]
        let y = buffer(&convOut, shape), out = buffer(&output, shape)
        input = images
        conv2dForward(output: y.data, input: images, weight: weight.value.data, batch: batch, geometry: cg, workspace: workspace)
        switch phase {
        case .training:
            batchNormTrainingForward(output: out.data, input: y.data, gamma: gamma.value.data, beta: beta.value.data,
                                     mean: batchMean.data, variance: batchVariance.data, geometry: bg)
            statistics.update(batchMean: batchMean.data, batchVariance: batchVariance.data, elementsPerChannel: bg.perChannel)
        case .inference:
            batchNormInferenceForward(output: out.data, input: y.data, gamma: gamma.value.data, beta: beta.value.data,
                                      mean: statistics.mean.data, variance: statistics.variance.data, geometry: bg)
        }
        return out
    }

    /// Adds the parameters' gradients given dL/doutput of the last training-phase forward.
    func backward(_ outputGrad: UnsafePointer<Float>, workspace: Workspace) {
        guard let images = input, let y = convOut else { preconditionFailure("stem backward before forward") }
        let (cg, bg) = geometry(y.shape[0], y.shape[2])
        let dy = workspace.scratch("stem.convGrad", worker: 0, count: y.count)
        batchNormBackward(inputGrad: dy, gammaGrad: gamma.grad.data, betaGrad: beta.grad.data, outputGrad: outputGrad,
                          input: y.data, gamma: gamma.value.data, mean: batchMean.data, variance: batchVariance.data,
                          geometry: bg, accumulate: false)
        conv2dBackward(inputGrad: nil, weightGrad: weight.grad.data, outputGrad: dy, input: images,
                       weight: weight.value.data, batch: y.shape[0], geometry: cg, workspace: workspace)
    }
}
