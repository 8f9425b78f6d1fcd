import Support
import Engine
import Networks
import SearchSpace

/// The NB201 skeleton with all five candidate ops on every edge of every cell (BN in cells without affine
/// parameters) and a K-shot weight dictionary for every tensor (KSHOT.md). One path at a time: `setPath` picks
/// the op of each edge (shared by all cells) and its simplex code lambda, merging only the tensors the path
/// uses; `forward` / `backward` then run that path.
public final class KShotSupernet {
    enum Block {
        case cell(CellBlock)
        case reduction(ResidualBlock)
    }

    public let shape: NetworkShape
    public let dictionary: WeightDictionary
    public var phase: Phase = .training
    public private(set) var path: Cell?
    public private(set) var lambda: [Float] = []
    /// How `backward` shares dL/dw out to the items (and `addMergedWeightDecay` the decay).
    public var itemGradient: ItemGradient = .lambda
    let stem: Stem
    let blocks: [Block]
    let head: ClassifierHead
    /// For each tensor: the (edge, op) whose conv owns it, or nil for the fixed parts every path uses.
    private let owner: [(edge: Int, op: Operation)?]
    private var used: [Int] = []
    let workspace = Workspace()
    private var images: Tensor?
    private var outputs: [Tensor] = []

    /// Weights drawn from `rng` (PyTorch's default init) into theta^1; the other items start as copies.
    /// `separateWorking` makes K = 1 run the merge/scatter code (tests prove it equals the one-shot path).
    public init(shape: NetworkShape, k: Int, rng: SeededRandom, separateWorking: Bool = false) {
        self.shape = shape
        let builder = ParameterBuilder(rng: rng)
        var owner: [(edge: Int, op: Operation)?] = []
        func claim(_ o: (edge: Int, op: Operation)?) {
            while owner.count < builder.parameters.count { owner.append(o) }
        }
        let c = shape.channels
        let stemWeight = builder.conv("stem.0.weight", inChannels: 3, outChannels: c, kernel: 3)
        let (gamma, beta) = builder.batchNorm("stem.1", channels: c, affine: true)
        stem = Stem(weight: stemWeight, gamma: gamma!, beta: beta!)
        claim(nil)
        var blocks: [Block] = []
        var width = c
        for stage in 0..<3 {
            if stage > 0 {
                blocks.append(.reduction(ResidualBlock(inChannels: width, outChannels: 2 * width, builder: builder,
                                                       prefix: "cells.\(blocks.count)")))
                claim(nil)
                width *= 2
            }
            for _ in 0..<shape.cellsPerStage {
                let prefix = "cells.\(blocks.count)"
                let units = (0..<Cell.edgeCount).map { e -> [Operation: ConvBN] in
                    var unit: [Operation: ConvBN] = [:]
                    var previous: ConvBN?
                    for op in [Operation.conv1x1, .conv3x3] {
                        let w = builder.conv("\(prefix).edges.\(e).\(op.name).weight", inChannels: width, outChannels: width,
                                             kernel: op.convKernel!)
                        claim((e, op))
                        // One path uses one op per edge, so the edge's two units share their saved conv output.
                        let convBN = ConvBN(weight: w, stride: 1, norm: BatchNormLayer(channels: width, gamma: nil, beta: nil),
                                            sharingSavedOutputWith: previous)
                        unit[op] = convBN
                        previous = convBN
                    }
                    return unit
                }
                blocks.append(.cell(CellBlock(channels: width, convUnits: units)))
            }
        }
        self.blocks = blocks
        head = ClassifierHead(channels: width, classes: shape.classes, builder: builder)
        claim(nil)
        self.owner = owner
        dictionary = WeightDictionary(working: builder.parameters, k: k, separateWorking: separateWorking)
    }

    public var k: Int { dictionary.k }

    /// Indices of the tensors `cell` computes with: the fixed parts and the convs of its conv edges.
    public func usedTensors(_ cell: Cell) -> [Int] {
        owner.indices.filter { i in owner[i].map { cell.ops[$0.edge] == $0.op } ?? true }
    }

    /// Selects the path and its simplex code and merges the weights it uses (after any change to the items).
    public func setPath(_ cell: Cell, lambda: [Float]) {
        precondition(lambda.count == k, "lambda has \(lambda.count) entries for K = \(k)")
        path = cell
        self.lambda = lambda
        used = usedTensors(cell)
        dictionary.merge(used, lambda: lambda)
    }

    /// Every BatchNorm's running statistics (all ops of all edges).
    public var batchNormStatistics: [BatchNormStatistics] {
        var stats = [stem.statistics]
        for block in blocks {
            switch block {
            case .cell(let c):
                for units in c.convUnits { for op in [Operation.conv1x1, .conv3x3] { stats.append(units[op]!.norm!.statistics) } }
            case .reduction(let r): stats += [r.a.norm, r.b.norm, r.shortcut.norm].compactMap { $0?.statistics }
            }
        }
        stats.append(head.norm.statistics)
        return stats
    }

    /// Logits [batch, classes] of the current path for NCHW images; the tensor is reused by the next call.
    public func forward(images input: UnsafePointer<Float>, batch: Int) -> Tensor {
        guard let cell = path else { preconditionFailure("forward before setPath") }
        // The cells run the path's live edges only (`Cell.liveOps`), 15 % fewer edges over uniformly sampled paths. A
        // dead edge's output is zeros or never reaches the logits, so training logits and gradients are unchanged, bit
        // for bit (its tensors get zero gradients either way and stay in `used`, decayed as before), and so is a
        // `PathEvaluator` estimate (BN recalibrated per path); its units' BN running statistics are just not updated
        // with the zeros or the unused features it would have seen.
        let ops = cell.liveOps
        let r = shape.resolution, count = batch * 3 * r * r
        if images?.count != count { images = Tensor(shape: [batch, 3, r, r]) }
        let x = images!
        x.data.update(from: input, count: count)
        var h = stem.forward(x.data, batch: batch, resolution: r, phase: phase, workspace: workspace)
        outputs = [h]
        for block in blocks {
            switch block {
            case .cell(let c): h = c.forward(h, ops: ops, phase: phase, workspace: workspace)
            case .reduction(let rb): h = rb.forward(h, phase: phase, workspace: workspace)
            }
            outputs.append(h)
        }
        return head.forward(h, phase: phase)
    }

    /// Backward of the last training-phase forward given dL/dlogits. Adds dL/dw shared out as `itemGradient` says
    /// into the items' gradients (with `itemGradients`) and returns dL/dlambda (zeros unless `lambdaGradient`).
    @discardableResult
    public func backward(logitsGrad: UnsafePointer<Float>, itemGradients: Bool = true, lambdaGradient: Bool = false) -> [Double] {
        precondition(!outputs.isEmpty, "backward before forward")
        dictionary.clearWorkingGradients(used)
        let largest = outputs.map(\.count).max()!
        var dOut = workspace.scratch("supernet.gradA", worker: 0, count: largest)
        var dIn = workspace.scratch("supernet.gradB", worker: 0, count: largest)
        // The head and every block write their input's gradient.
        head.backward(logitsGrad, inputGrad: dOut, workspace: workspace)
        for b in stride(from: blocks.count - 1, through: 0, by: -1) {
            switch blocks[b] {
            case .cell(let c): c.backward(dOut, inputGrad: dIn, workspace: workspace)
            case .reduction(let rb): rb.backward(dOut, inputGrad: dIn, workspace: workspace)
            }
            swap(&dOut, &dIn)
        }
        stem.backward(dOut, workspace: workspace)
        return dictionary.scatter(used, itemScales: itemGradients ? itemGradient.itemScales(lambda) : nil,
                                  lambdaGradient: lambdaGradient)
    }

    /// Adds the decay of the current path's merged weights to its items' gradients, shared out as `itemGradient` says.
    public func addMergedWeightDecay(_ weightDecay: Float) {
        dictionary.addMergedDecay(used, itemScales: itemGradient.itemScales(lambda), weightDecay: weightDecay)
    }
}
