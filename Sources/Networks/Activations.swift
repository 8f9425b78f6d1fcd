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

/// Receives a ReLU's input (NCHW, before the ReLU) during forward.
public typealias ReLUObserver = (_ input: UnsafePointer<Float>, _ shape: FeatureShape) -> Void

/// In-place rescaling at the network's block boundaries (see `NB201Network.boundaryScaling`): each closure gets
/// the tensor, its element count and the boundary index.
public struct BoundaryScaling {
    public var forward: (_ values: UnsafeMutablePointer<Float>, _ count: Int, _ index: Int) -> Void
    public var backward: (_ values: UnsafeMutablePointer<Float>, _ count: Int, _ index: Int) -> Void

    public init(forward: @escaping (UnsafeMutablePointer<Float>, Int, Int) -> Void,
                backward: @escaping (UnsafeMutablePointer<Float>, Int, Int) -> Void) {
        self.forward = forward
        self.backward = backward
    }
}
