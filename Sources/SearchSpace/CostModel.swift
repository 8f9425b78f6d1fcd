/// The macro skeleton's size: C channels in the first stage, N cells per stage, the classifier's classes and
/// the input's side in pixels (32 for CIFAR, 16 for ImageNet16-120).
public struct NetworkShape: Sendable, Hashable, Codable {
    public var channels: Int
    public var cellsPerStage: Int
    public var classes: Int
    public var resolution: Int

    public init(channels: Int = 16, cellsPerStage: Int = 5, classes: Int = 10, resolution: Int = 32) {
        self.channels = channels
        self.cellsPerStage = cellsPerStage
        self.classes = classes
        self.resolution = resolution
    }

    /// The benchmark's network: C=16, N=5.
    public static func benchmark(classes: Int, resolution: Int) -> NetworkShape {
        NetworkShape(channels: 16, cellsPerStage: 5, classes: classes, resolution: resolution)
    }
}

/// Exact parameter and FLOP counts of the NAS-Bench-201 network for a cell.
/// FLOPs follow the benchmark's convention (AutoDL's `get_model_infos` hooks, in the records' `flop` field):
/// multiply-accumulates of Conv2d (k*k*Cin*Cout per output position) and Linear (in*out + bias);
/// pooling, BatchNorm, ReLU and additions are not counted. Parameters count BatchNorm's affine weights.
public struct Cost: Sendable, Hashable, Codable {
    public var parameters: Int
    public var flops: Int

    public var parametersMillions: Double { Double(parameters) / 1e6 }
    public var flopsMillions: Double { Double(flops) / 1e6 }

    public init(parameters: Int, flops: Int) {
        self.parameters = parameters
        self.flops = flops
    }

    public init(cell: Cell, shape: NetworkShape) {
        var params = 0
        var flops = 0
        // A bias-free conv followed by BatchNorm with affine weights (2 per channel).
        func convBN(_ cin: Int, _ cout: Int, _ k: Int, outSide: Int, bn: Bool = true) {
            params += cin * cout * k * k + (bn ? 2 * cout : 0)
            flops += cin * cout * k * k * outSide * outSide
        }
        let c = shape.channels
        var side = shape.resolution
        convBN(3, c, 3, outSide: side) // stem
        for stage in 0..<3 {
            let width = c << stage
            if stage > 0 {
                // Residual reduction block: two 3x3 conv-BN (first with stride 2) plus avgpool + 1x1 shortcut.
                side = (side + 1) / 2
                convBN(width / 2, width, 3, outSide: side)
                convBN(width, width, 3, outSide: side)
                convBN(width / 2, width, 1, outSide: side, bn: false)
            }
            for _ in 0..<shape.cellsPerStage {
                for op in cell.ops {
                    if let k = op.convKernel { convBN(width, width, k, outSide: side) }
                }
            }
        }
        let last = c << 2
        params += 2 * last // final BatchNorm
        params += last * shape.classes + shape.classes
        flops += last * shape.classes + shape.classes
        self.parameters = params
        self.flops = flops
    }
}
