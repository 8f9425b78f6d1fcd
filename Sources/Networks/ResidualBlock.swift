import Engine

/// NB201's reduction block C -> 2C: ReLU-Conv3x3(stride 2)-BN -> ReLU-Conv3x3-BN, plus the shortcut
/// AvgPool2x2 -> Conv1x1 (no BN); the two are added.
public final class ResidualBlock {
    public let a: ConvBN, b: ConvBN, shortcut: ConvBN
    private var input: Tensor?
    /// Sees the inputs of the block's two ReLUs (before a, before b).
    public var reluObserver: ReLUObserver?
    private var activatedInput = Slot(), aOut = Slot(), activatedA = Slot(), pooled = Slot(), output = Slot()

    public init(a: ConvBN, b: ConvBN, shortcut: ConvBN) {
        self.a = a; self.b = b; self.shortcut = shortcut
    }

    /// Named like the PyTorch reference: `prefix.a.1.weight`, `prefix.a.2.weight`, ..., `prefix.sc.1.weight`.
    /// Without `batchNorm` the two units are ReLU -> Conv.
    public convenience init(inChannels: Int, outChannels: Int, builder: ParameterBuilder, prefix: String, batchNorm: Bool = true) {
        func convBN(_ name: String, _ cin: Int, stride: Int) -> ConvBN {
            let w = builder.conv("\(prefix).\(name).1.weight", inChannels: cin, outChannels: outChannels, kernel: 3)
            let norm = builder.batchNormLayer("\(prefix).\(name).2", channels: outChannels, present: batchNorm)
            return ConvBN(weight: w, stride: stride, norm: norm)
        }
        let a = convBN("a", inChannels, stride: 2), b = convBN("b", outChannels, stride: 1)
        let sc = builder.conv("\(prefix).sc.1.weight", inChannels: inChannels, outChannels: outChannels, kernel: 1)
        self.init(a: a, b: b, shortcut: ConvBN(weight: sc, stride: 1, norm: nil))
    }

    private func shapes(_ x: Tensor) -> (input: FeatureShape, pooled: FeatureShape, output: FeatureShape) {
        let s = FeatureShape(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3])
        let p = FeatureShape(batch: s.batch, channels: s.channels, height: s.height / 2, width: s.width / 2)
        return (s, p, a.outputShape(s))
    }

    public func forward(_ x: Tensor, phase: Phase, workspace: Workspace) -> Tensor {
        input = x
        let (s, p, o) = shapes(x)
        let r = activatedInput.get(s.dims), ya = aOut.get(o.dims), ra = activatedA.get(o.dims)
        let pool = pooled.get(p.dims), out = output.get(o.dims)
        reluObserver?(x.data, s)
        reluForward(output: r.data, input: x.data, count: s.count)
        a.forward(r.data, s, output: ya.data, accumulate: false, phase: phase, workspace: workspace)
        reluObserver?(ya.data, o)
        reluForward(output: ra.data, input: ya.data, count: o.count)
        b.forward(ra.data, o, output: out.data, accumulate: false, phase: phase, workspace: workspace)
        avgPool2x2Forward(output: pool.data, input: x.data, planes: s.batch * s.channels, height: s.height, width: s.width)
        shortcut.forward(pool.data, p, output: out.data, accumulate: true, phase: phase, workspace: workspace)
        return out
    }

    /// Writes dL/dinput into `inputGrad` and adds the parameters' gradients, given dL/doutput; every intermediate
    /// gradient is written by its one contribution, so nothing is zeroed first.
    public func backward(_ outputGrad: UnsafePointer<Float>, inputGrad: UnsafeMutablePointer<Float>, workspace: Workspace) {
        guard let x = input else { preconditionFailure("residual block backward before forward") }
        let (s, p, o) = shapes(x)
        // Shortcut path: dL/dpooled, then through the pool.
        let dPool = workspace.scratch("res.pooledGrad", worker: 0, count: p.count)
        shortcut.backward(outputGrad, input: pooled.get(p.dims).data, p, inputGrad: dPool, accumulate: false, workspace: workspace)
        avgPool2x2Backward(inputGrad: inputGrad, outputGrad: dPool, planes: s.batch * s.channels, height: s.height, width: s.width,
                           accumulate: false)
        // Main path: b, its ReLU, a, the input's ReLU.
        let dActA = workspace.scratch("res.activatedAGrad", worker: 0, count: o.count)
        b.backward(outputGrad, input: activatedA.get(o.dims).data, o, inputGrad: dActA, accumulate: false, workspace: workspace)
        let dA = workspace.scratch("res.aGrad", worker: 0, count: o.count)
        reluBackward(inputGrad: dA, outputGrad: dActA, output: activatedA.get(o.dims).data, count: o.count, accumulate: false)
        let dActIn = workspace.scratch("res.activatedInputGrad", worker: 0, count: s.count)
        a.backward(dA, input: activatedInput.get(s.dims).data, s, inputGrad: dActIn, accumulate: false, workspace: workspace)
        reluBackward(inputGrad: inputGrad, outputGrad: dActIn, output: activatedInput.get(s.dims).data, count: s.count)
    }
}
