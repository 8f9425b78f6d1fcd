import Engine

/// Whether BatchNorm uses batch statistics (and updates its running ones) or its stored statistics.
public enum Phase: Sendable {
    case training
    case inference
}

/// A tensor kept between forward and backward, reallocated only when its shape changes (e.g. a smaller last batch).
struct Slot {
    private var tensor: Tensor?

    mutating func get(_ shape: [Int]) -> Tensor {
        if let t = tensor, t.shape == shape { return t }
        let t = Tensor(shape: shape)
        tensor = t
        return t
    }
}

/// An NCHW activation's geometry without its data.
public struct FeatureShape: Sendable, Hashable {
    public var batch, channels, height, width: Int

    public init(batch: Int, channels: Int, height: Int, width: Int) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
    }

    public var dims: [Int] { [batch, channels, height, width] }
    public var count: Int { batch * channels * height * width }
    public var spatial: Int { height * width }
}
