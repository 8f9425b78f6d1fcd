import Engine

/// BatchNorm2d with its parameters, running statistics and the batch statistics saved for backward.
public final class BatchNormLayer {
    public let gamma: Parameter?
    public let beta: Parameter?
    public let statistics: BatchNormStatistics
    private var batchMean: Tensor
    private var batchVariance: Tensor
    private let foldedScale: Tensor
    private let foldedShift: Tensor

    public init(channels: Int, gamma: Parameter?, beta: Parameter?) {
        self.gamma = gamma
        self.beta = beta
        statistics = BatchNormStatistics(channels: channels)
        batchMean = Tensor(shape: [channels])
        batchVariance = Tensor(shape: [channels])
        foldedScale = Tensor(shape: [channels])
        foldedShift = Tensor(shape: [channels])
    }

    /// Normalises `input` into `output` (adding to it with `accumulate`).
    func forward(_ input: UnsafePointer<Float>, _ shape: FeatureShape, output: UnsafeMutablePointer<Float>,
                 accumulate: Bool, phase: Phase) {
        let g = BatchNormGeometry(batch: shape.batch, channels: shape.channels, spatial: shape.spatial)
        switch phase {
        case .training:
            batchNormTrainingForward(output: output, input: input, gamma: gamma?.value.data, beta: beta?.value.data,
                                     mean: batchMean.data, variance: batchVariance.data, geometry: g, accumulate: accumulate)
            statistics.update(batchMean: batchMean.data, batchVariance: batchVariance.data, elementsPerChannel: g.perChannel)
        case .inference:
            batchNormInferenceForward(output: output, input: input, gamma: gamma?.value.data, beta: beta?.value.data,
                                      mean: statistics.mean.data, variance: statistics.variance.data, geometry: g, accumulate: accumulate)
        }
    }

    /// The inference-phase BN as y = scale * x + shift per channel, from the stored statistics.
    func inferenceAffine() -> (scale: Tensor, shift: Tensor) {
        batchNormAffine(gamma: gamma?.value.data, beta: beta?.value.data, mean: statistics.mean.data,
                        variance: statistics.variance.data, channels: statistics.channels,
                        scale: foldedScale.data, shift: foldedShift.data)
        return (foldedScale, foldedShift)
    }

    /// Adds (or with `accumulate: false` writes) dL/dinput into `inputGrad`, and adds the affine parameters'
    /// gradients (training-phase forward only).
    func backward(_ outputGrad: UnsafePointer<Float>, input: UnsafePointer<Float>, _ shape: FeatureShape,
                  inputGrad: UnsafeMutablePointer<Float>, accumulate: Bool = true) {
        let g = BatchNormGeometry(batch: shape.batch, channels: shape.channels, spatial: shape.spatial)
        batchNormBackward(inputGrad: inputGrad, gammaGrad: gamma?.grad.data, betaGrad: beta?.grad.data, outputGrad: outputGrad,
                          input: input, gamma: gamma?.value.data, mean: batchMean.data, variance: batchVariance.data, geometry: g,
                          accumulate: accumulate)
    }
}
