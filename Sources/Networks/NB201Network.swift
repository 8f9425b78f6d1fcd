import Support
import Engine
import SearchSpace

/// The stand-alone NAS-Bench-201 network for one cell (see ../shared/design/NB201.md):
/// stem Conv3x3-BN; N cells at C; reduction C -> 2C; N cells; reduction 2C -> 4C; N cells; BN-ReLU-GAP-Linear.
/// Parameters are named and ordered like the PyTorch reference's `named_parameters()`.
public final class NB201Network {
    enum Block {
        case cell(CellBlock)
        case reduction(ResidualBlock)
    }

    public let cell: Cell
    public let shape: NetworkShape
    public let parameters: [Parameter]
    public var phase: Phase = .training
    /// Sees every ReLU's input in forward, once per ReLU module of the PyTorch reference (zero-cost proxies).
    public var reluObserver: ReLUObserver? {
        didSet {
            head.reluObserver = reluObserver
            for block in blocks {
                switch block {
                case .cell(let c): c.reluObserver = reluObserver
                case .reduction(let r): r.reluObserver = reluObserver
                }
            }
        }
    }
    /// May rescale, in place, the activation after the stem (index 0) and after each block k (index k + 1) in
    /// forward, and the gradient with respect to those same tensors in backward. Used to keep a BN-free network's
    /// values inside Float32 range (synflow); the caller accounts for the factors it applies.
    public var boundaryScaling: BoundaryScaling?
    let stem: ConvBN
    let blocks: [Block]
    let head: ClassifierHead
    let workspace = Workspace()
    private var images = Slot()
    private var stemOut = Slot()
    private var outputs: [Tensor] = []

    /// With `batchNorm: false` every BatchNorm is left out (the network synflow is defined on); the weights drawn
    /// from `rng` are the same either way, as BatchNorm parameters are not random.
    public init(cell: Cell, shape: NetworkShape, rng: SeededRandom, weightInit: WeightInit = .pytorchDefault,
                batchNorm: Bool = true) {
        self.cell = cell
        self.shape = shape
        let builder = ParameterBuilder(rng: rng, weightInit: weightInit)
        let c = shape.channels
        let stemWeight = builder.conv("stem.0.weight", inChannels: 3, outChannels: c, kernel: 3)
        stem = ConvBN(weight: stemWeight, stride: 1, norm: builder.batchNormLayer("stem.1", channels: c, present: batchNorm))
        var blocks: [Block] = []
        var width = c
        for stage in 0..<3 {
            if stage > 0 {
                blocks.append(.reduction(ResidualBlock(inChannels: width, outChannels: 2 * width, builder: builder, prefix: "cells.\(blocks.count)", batchNorm: batchNorm)))
                width *= 2
            }
            for _ in 0..<shape.cellsPerStage {
                blocks.append(.cell(CellBlock(cell: cell, channels: width, builder: builder, prefix: "cells.\(blocks.count)",
                                               batchNorm: batchNorm)))
            }
        }
        self.blocks = blocks
        head = ClassifierHead(channels: width, classes: shape.classes, builder: builder, batchNorm: batchNorm)
        parameters = builder.parameters
    }

    /// Cells and reduction blocks between the stem and the classifier (parameters `cells.k.*` belong to block k).
    public var blockCount: Int { blocks.count }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Every BatchNorm's running statistics, in network order.
    public var batchNormStatistics: [BatchNormStatistics] {
        var norms: [BatchNormLayer?] = [stem.norm]
        for block in blocks {
            switch block {
            case .cell(let c): for units in c.convUnits { for op in units.keys.sorted(by: { $0.rawValue < $1.rawValue }) { norms.append(units[op]!.norm) } }
            case .reduction(let r): norms += [r.a.norm, r.b.norm, r.shortcut.norm]
            }
        }
        if head.normalises { norms.append(head.norm) }
        return norms.compactMap { $0?.statistics }
    }

    /// Logits [batch, classes] for NCHW images [batch, 3, resolution, resolution]. The returned tensor is
    /// reused by the next forward call.
    public func forward(images input: UnsafePointer<Float>, batch: Int) -> Tensor {
        let r = shape.resolution
        let s = FeatureShape(batch: batch, channels: 3, height: r, width: r)
        let x = images.get(s.dims)
        x.data.update(from: input, count: s.count)
        let stemShape = stem.outputShape(s)
        let y = stemOut.get(stemShape.dims)
        stem.forward(x.data, s, output: y.data, accumulate: false, phase: phase, workspace: workspace)
        boundaryScaling?.forward(y.data, y.count, 0)
        var h = y
        outputs = [y]
        for block in blocks {
            switch block {
            case .cell(let c): h = c.forward(h, ops: cell.ops, phase: phase, workspace: workspace)
            case .reduction(let rb): h = rb.forward(h, phase: phase, workspace: workspace)
            }
            boundaryScaling?.forward(h.data, h.count, outputs.count)
            outputs.append(h)
        }
        return head.forward(h, phase: phase)
    }

    /// Adds every parameter's gradient given dL/dlogits for the last (training-phase) forward; with `inputGrad`
    /// also writes dL/dimages there ([batch, 3, resolution, resolution]).
    public func backward(logitsGrad: UnsafePointer<Float>, inputGrad: UnsafeMutablePointer<Float>? = nil) {
        precondition(!outputs.isEmpty, "backward before forward")
        let largest = outputs.map(\.count).max()!
        let ping = workspace.scratch("network.gradA", worker: 0, count: largest)
        let pong = workspace.scratch("network.gradB", worker: 0, count: largest)
        var dOut = ping, dIn = pong
        // outputs[k] is the input of blocks[k] (outputs[0] = stem output); the last output feeds the head.
        // The head and every block write their input's gradient.
        head.backward(logitsGrad, inputGrad: dOut, workspace: workspace)
        boundaryScaling?.backward(dOut, outputs[blocks.count].count, blocks.count)
        for k in stride(from: blocks.count - 1, through: 0, by: -1) {
            switch blocks[k] {
            case .cell(let c): c.backward(dOut, inputGrad: dIn, workspace: workspace)
            case .reduction(let rb): rb.backward(dOut, inputGrad: dIn, workspace: workspace)
            }
            boundaryScaling?.backward(dIn, outputs[k].count, k)
            swap(&dOut, &dIn)
        }
        let r = shape.resolution
        let s = FeatureShape(batch: outputs[0].shape[0], channels: 3, height: r, width: r)
        stem.backward(dOut, input: images.get(s.dims).data, s, inputGrad: inputGrad, accumulate: false, workspace: workspace)
    }
}
