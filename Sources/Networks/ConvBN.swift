import Engine

/// Conv2d (no bias) followed by an optional BatchNorm. Its input is already activated: the ReLU that
/// NB201's ops put first is applied by the caller, once per node, and shared by every conv reading that node.
public final class ConvBN {
    public let weight: Parameter
    public let norm: BatchNormLayer?
    public let outChannels, kernel, stride: Int
    /// The conv output saved for BN's backward. Units that never run in the same forward pass may share it.
    private let convOut: SavedOutput

    /// With `sharingSavedOutputWith`, the unit keeps its saved conv output in `other`'s buffer: for units that are
    /// never both in one forward pass, such as a supernet edge's 1x1 and 3x3 (a path picks one op per edge). At
    /// C=16 N=5 that halves the supernet's 180 such buffers and the page faults of first touching them.
    public init(weight: Parameter, stride: Int, norm: BatchNormLayer?, sharingSavedOutputWith other: ConvBN? = nil) {
        self.weight = weight
        self.norm = norm
        outChannels = weight.value.shape[0]
        kernel = weight.value.shape[2]
        self.stride = stride
        convOut = other?.convOut ?? SavedOutput()
    }

    private final class SavedOutput {
        var slot = Slot()
        func get(_ shape: [Int]) -> Tensor { slot.get(shape) }
    }

    func geometry(_ input: FeatureShape) -> ConvGeometry {
        ConvGeometry(inChannels: input.channels, outChannels: outChannels, kernel: kernel, stride: stride,
                     padding: (kernel - 1) / 2, inHeight: input.height, inWidth: input.width)
    }

    public func outputShape(_ input: FeatureShape) -> FeatureShape {
        let g = geometry(input)
        return FeatureShape(batch: input.batch, channels: outChannels, height: g.outHeight, width: g.outWidth)
    }

    /// Writes (or with `accumulate`, adds) the unit's output into `output`.
    func forward(_ input: UnsafePointer<Float>, _ shape: FeatureShape, output: UnsafeMutablePointer<Float>,
                 accumulate: Bool, phase: Phase, workspace: Workspace) {
        let g = geometry(shape), outShape = outputShape(shape)
        guard let norm else {
            conv2dForward(output: output, input: input, weight: weight.value.data, batch: shape.batch, geometry: g,
                          workspace: workspace, accumulate: accumulate)
            return
        }
        if phase == .inference {
            // BN folded into the conv: output (+)= shift, then the GEMM adds conv(x, weight * scale).
            let (scale, shift) = norm.inferenceAffine()
            let folded = workspace.scratch("convbn.foldedWeight", worker: 0, count: weight.count)
            scaleOutputChannels(folded, weight: weight.value.data, scale: scale.data, outChannels: outChannels,
                                perChannel: weight.count / outChannels)
            channelConstant(output, shift.data, batch: shape.batch, channels: outChannels, spatial: outShape.spatial, accumulate: accumulate)
            conv2dForward(output: output, input: input, weight: folded, batch: shape.batch, geometry: g, workspace: workspace, accumulate: true)
            return
        }
        let y = convOut.get(outShape.dims)
        conv2dForward(output: y.data, input: input, weight: weight.value.data, batch: shape.batch, geometry: g, workspace: workspace)
        norm.forward(y.data, outShape, output: output, accumulate: accumulate, phase: phase)
    }

    /// Adds dL/dinput (when wanted; `accumulate: false` writes it) and the weights' gradients, given dL/doutput and
    /// the forward's input.
    func backward(_ outputGrad: UnsafePointer<Float>, input: UnsafePointer<Float>, _ shape: FeatureShape,
                  inputGrad: UnsafeMutablePointer<Float>?, accumulate: Bool, workspace: Workspace) {
        let g = geometry(shape), outShape = outputShape(shape)
        var convGrad = outputGrad
        if let norm {
            let d = workspace.scratch("convbn.outputGrad", worker: 0, count: outShape.count)
            norm.backward(outputGrad, input: convOut.get(outShape.dims).data, outShape, inputGrad: d, accumulate: false)
            convGrad = UnsafePointer(d)
        }
        conv2dBackward(inputGrad: inputGrad, weightGrad: weight.grad.data, outputGrad: convGrad, input: input,
                       weight: weight.value.data, batch: shape.batch, geometry: g, workspace: workspace, accumulateInput: accumulate)
    }
}
