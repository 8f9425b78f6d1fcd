import Engine
import SearchSpace

/// One NAS-Bench-201 cell at fixed width: node j = sum over edges (i -> j) of op(node i); output = node 3.
/// The ops are chosen per forward call, so one block can serve a stand-alone network (conv units for its
/// own ops only) and a supernet (conv units for both conv ops on every edge, one path per step).
/// `nor_conv_kxk` = ReLU -> Conv -> BN; the ReLU of a node is computed once and shared by its conv edges.
public final class CellBlock {
    public let channels: Int
    /// The conv units available on each edge, keyed by op (.conv1x1 / .conv3x3).
    public let convUnits: [[Operation: ConvBN]]
    private var nodes = [Slot](repeating: Slot(), count: Cell.nodeCount)
    private var activated = [Slot](repeating: Slot(), count: Cell.nodeCount - 1)
    private var input: Tensor?
    private var ops: [Operation] = []
    /// Sees each conv edge's ReLU input (its source node), once per edge as the reference has a ReLU per op.
    public var reluObserver: ReLUObserver?

    public init(channels: Int, convUnits: [[Operation: ConvBN]]) {
        precondition(convUnits.count == Cell.edgeCount, "a cell needs conv units for 6 edges, got \(convUnits.count)")
        self.channels = channels
        self.convUnits = convUnits
    }

    /// A stand-alone cell: conv units (with affine BN) for the cell's own conv edges, named like the PyTorch
    /// reference (`prefix.ops.{edge}.1.weight` for the conv, `.2.weight`/`.2.bias` for its BN).
    /// Without `batchNorm` the ops are ReLU -> Conv.
    public convenience init(cell: Cell, channels: Int, builder: ParameterBuilder, prefix: String, batchNorm: Bool = true) {
        let units = cell.ops.enumerated().map { e, op -> [Operation: ConvBN] in
            guard let k = op.convKernel else { return [:] }
            let w = builder.conv("\(prefix).ops.\(e).1.weight", inChannels: channels, outChannels: channels, kernel: k)
            let norm = builder.batchNormLayer("\(prefix).ops.\(e).2", channels: channels, present: batchNorm)
            return [op: ConvBN(weight: w, stride: 1, norm: norm)]
        }
        self.init(channels: channels, convUnits: units)
    }

    /// Nodes whose ReLU some conv edge of `ops` reads.
    private static func activatedNodes(_ ops: [Operation]) -> [Bool] {
        var used = [Bool](repeating: false, count: Cell.nodeCount - 1)
        for (e, op) in ops.enumerated() where op.convKernel != nil { used[Cell.edges[e].from] = true }
        return used
    }

    public func forward(_ x: Tensor, ops: [Operation], phase: Phase, workspace: Workspace) -> Tensor {
        precondition(x.shape[1] == channels, "cell of width \(channels) got input \(x.shape)")
        let shape = FeatureShape(batch: x.shape[0], channels: channels, height: x.shape[2], width: x.shape[3])
        input = x
        self.ops = ops
        let count = shape.count
        var node: [UnsafeMutablePointer<Float>] = [x.data]
        for j in 1..<Cell.nodeCount { node.append(nodes[j].get(shape.dims).data) }
        let used = CellBlock.activatedNodes(ops)
        for j in 1..<Cell.nodeCount {
            // Node j-1 is complete: activate it once for the conv edges that read it.
            if used[j - 1] { reluForward(output: activated[j - 1].get(shape.dims).data, input: node[j - 1], count: count) }
            var written = false
            for (e, edge) in Cell.edges.enumerated() where edge.to == j && ops[e] != .none {
                let src = node[edge.from], dst = node[j]
                switch ops[e] {
                case .none:
                    continue
                case .skipConnect:
                    if written { accumulate(into: dst, src, count: count) } else { dst.update(from: src, count: count) }
                case .conv1x1, .conv3x3:
                    guard let unit = convUnits[e][ops[e]] else { preconditionFailure("edge \(e) has no unit for \(ops[e].name)") }
                    reluObserver?(src, shape)
                    unit.forward(activated[edge.from].get(shape.dims).data, shape, output: dst, accumulate: written,
                                 phase: phase, workspace: workspace)
                case .avgPool3x3:
                    let target = written ? workspace.scratch("cell.pool", worker: 0, count: count) : dst
                    avgPool3x3Forward(output: target, input: src, planes: shape.batch * channels, height: shape.height, width: shape.width)
                    if written { accumulate(into: dst, target, count: count) }
                }
                written = true
            }
            if !written { zeroForward(output: node[j], count: count) }
        }
        return nodes[Cell.nodeCount - 1].get(shape.dims)
    }

    /// Writes dL/dinput into `inputGrad` and adds the conv units' parameter gradients, given dL/doutput.
    /// Each gradient buffer is written by its first contribution and added to by the rest (no zeroing pass: at
    /// C=8 N=1 zeroing them was 5 % of a supernet step).
    public func backward(_ outputGrad: UnsafePointer<Float>, inputGrad: UnsafeMutablePointer<Float>, workspace: Workspace) {
        guard let x = input else { preconditionFailure("cell backward before forward") }
        let shape = FeatureShape(batch: x.shape[0], channels: channels, height: x.shape[2], width: x.shape[3])
        let count = shape.count
        var grad: [UnsafeMutablePointer<Float>] = [inputGrad]
        for j in 1..<(Cell.nodeCount - 1) { grad.append(workspace.scratch("cell.nodeGrad\(j)", worker: 0, count: count)) }
        grad.append(UnsafeMutablePointer(mutating: outputGrad))
        // Whether each node's gradient (and each node's ReLU-output gradient) holds a contribution yet; the output node's is given.
        var written = [Bool](repeating: false, count: Cell.nodeCount - 1) + [true]
        var reluWritten = [Bool](repeating: false, count: Cell.nodeCount - 1)
        let used = CellBlock.activatedNodes(ops)
        let reluGrad: [UnsafeMutablePointer<Float>?] = (0..<(Cell.nodeCount - 1)).map { i in
            used[i] ? workspace.scratch("cell.reluGrad\(i)", worker: 0, count: count) : nil
        }
        for j in stride(from: Cell.nodeCount - 1, through: 1, by: -1) {
            // A node no edge reads has gradient zero.
            if !written[j] { grad[j].update(repeating: 0, count: count); written[j] = true }
            for (e, edge) in Cell.edges.enumerated() where edge.to == j {
                let dOut = UnsafePointer(grad[j]), dIn = grad[edge.from], first = !written[edge.from]
                switch ops[e] {
                case .none:
                    continue
                case .skipConnect:
                    if first { dIn.update(from: dOut, count: count) } else { accumulate(into: dIn, dOut, count: count) }
                    written[edge.from] = true
                case .conv1x1, .conv3x3:
                    convUnits[e][ops[e]]!.backward(dOut, input: activated[edge.from].get(shape.dims).data, shape,
                                                   inputGrad: reluGrad[edge.from], accumulate: reluWritten[edge.from], workspace: workspace)
                    reluWritten[edge.from] = true
                case .avgPool3x3:
                    avgPool3x3Backward(inputGrad: dIn, outputGrad: dOut, planes: shape.batch * channels, height: shape.height, width: shape.width,
                                       accumulate: !first)
                    written[edge.from] = true
                }
            }
            // Every consumer of node j-1 has now passed its gradient back: finish node j-1's ReLU.
            if let d = reluGrad[j - 1] {
                reluBackward(inputGrad: grad[j - 1], outputGrad: d, output: activated[j - 1].get(shape.dims).data, count: count,
                             accumulate: written[j - 1])
                written[j - 1] = true
            }
        }
        if !written[0] { inputGrad.update(repeating: 0, count: count) }
    }
}
