/// Per-channel normalisation `(pixel - mean) / std` on the 0...255 scale, which equals torchvision's
/// ToTensor (divide by 255) followed by Normalize(mean / 255, std / 255), as the NB201 reference trains.
public struct Normalization: Sendable, Equatable {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && std.allSatisfy { $0 > 0 })
        self.mean = mean
        self.std = std
    }

    // The NB201 constants (NB201.md).
    public static let cifar10 = Normalization(mean: [125.3, 123.0, 113.9], std: [63.0, 62.1, 66.7])
    public static let cifar100 = Normalization(mean: [129.3, 124.1, 112.4], std: [68.2, 65.4, 70.4])
    public static let imageNet16 = Normalization(mean: [122.68, 116.66, 104.01], std: [63.22, 61.26, 65.09])

    /// For each channel, the normalised value of every byte value 0...255: a lookup replaces the arithmetic
    /// in the per-pixel loop. Entry `c * 256 + v` is channel c, byte v.
    func lookupTable() -> [Float] {
        var table = [Float]()
        table.reserveCapacity(mean.count * 256)
        for c in mean.indices {
            for v in 0..<256 { table.append((Float(v) - mean[c]) / std[c]) }
        }
        return table
    }
}
