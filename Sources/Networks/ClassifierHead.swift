import Engine

/// NB201's tail: BN -> ReLU -> global average pool -> Linear(with bias); without BatchNorm, ReLU -> GAP -> Linear.
public final class ClassifierHead {
    public let norm: BatchNormLayer
    /// False for a network built without BatchNorm: `norm` then holds no parameters and is skipped (it stays
    /// non-optional for the callers that read its statistics).
    public let normalises: Bool
    /// Sees the ReLU's input.
    public var reluObserver: ReLUObserver?
    public let weight: Parameter, bias: Parameter
    private var input: Tensor?
    private var activated = Slot(), pooled = Slot(), logits = Slot()

    public init(channels: Int, classes: Int, builder: ParameterBuilder, batchNorm: Bool = true) {
        norm = builder.batchNormLayer("tail.0", channels: channels, present: batchNorm)
            ?? BatchNormLayer(channels: channels, gamma: nil, beta: nil)
        normalises = batchNorm
        (weight, bias) = builder.linear("fc", inFeatures: channels, outFeatures: classes)
    }

    var classes: Int { bias.count }

    public func forward(_ x: Tensor, phase: Phase) -> Tensor {
        input = x
        let s = FeatureShape(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3])
        let r = activated.get(s.dims), p = pooled.get([s.batch, s.channels]), z = logits.get([s.batch, classes])
        if normalises { norm.forward(x.data, s, output: r.data, accumulate: false, phase: phase) } else { r.data.update(from: x.data, count: s.count) }
        reluObserver?(r.data, s)
        reluForward(output: r.data, input: r.data, count: s.count)
        globalAvgPoolForward(output: p.data, input: r.data, planes: s.batch * s.channels, spatial: s.spatial)
        linearForward(output: z.data, input: p.data, weight: weight.value.data, bias: bias.value.data,
                      batch: s.batch, inFeatures: s.channels, outFeatures: classes)
        return z
    }

    /// Writes dL/dinput into `inputGrad` and adds the parameters' gradients, given dL/dlogits.
    public func backward(_ logitsGrad: UnsafePointer<Float>, inputGrad: UnsafeMutablePointer<Float>, workspace: Workspace) {
        guard let x = input else { preconditionFailure("head backward before forward") }
        let s = FeatureShape(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3])
        let dPooled = workspace.scratch("head.pooledGrad", worker: 0, count: s.batch * s.channels)
        dPooled.update(repeating: 0, count: s.batch * s.channels)
        linearBackward(inputGrad: dPooled, weightGrad: weight.grad.data, biasGrad: bias.grad.data, outputGrad: logitsGrad,
                       input: pooled.get([s.batch, s.channels]).data, weight: weight.value.data,
                       batch: s.batch, inFeatures: s.channels, outFeatures: classes)
        let dAct = workspace.scratch("head.activatedGrad", worker: 0, count: s.count)
        globalAvgPoolBackward(inputGrad: dAct, outputGrad: dPooled, planes: s.batch * s.channels, spatial: s.spatial, accumulate: false)
        guard normalises else {
            reluBackward(inputGrad: inputGrad, outputGrad: dAct, output: activated.get(s.dims).data, count: s.count, accumulate: false)
            return
        }
        let dNorm = workspace.scratch("head.normGrad", worker: 0, count: s.count)
        reluBackward(inputGrad: dNorm, outputGrad: dAct, output: activated.get(s.dims).data, count: s.count, accumulate: false)
        norm.backward(dNorm, input: x.data, s, inputGrad: inputGrad, accumulate: false)
    }
}
