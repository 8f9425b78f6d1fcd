import CBLAS

/// A Float32 buffer with a shape, allocated once and zero-filled; the unit every layer reads and writes.
/// Layers take raw pointers (llm.c style); a Tensor only owns memory and knows its shape (NCHW for images).
/// Not thread-safe by itself: layers split work over disjoint ranges.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    public let data: UnsafeMutablePointer<Float>

    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative tensor dimension in \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        data = .allocate(capacity: max(count, 1))
        data.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        self.init(shape: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    deinit { data.deallocate() }

    public func zero() { data.update(repeating: 0, count: count) }

    /// Multiplies every element by `factor`.
    public func scale(by factor: Float) { cblas_sscal(Int32(count), factor, data, 1) }

    public var array: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    public subscript(i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy of \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }
}

/// A trainable tensor: its value, its gradient (accumulated by backward passes, zeroed by the owner)
/// and a name for checkpoints and error messages.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public let value: Tensor
    public let grad: Tensor

    public init(name: String, shape: [Int]) {
        self.name = name
        value = Tensor(shape: shape)
        grad = Tensor(shape: shape)
    }

    public var count: Int { value.count }
}
