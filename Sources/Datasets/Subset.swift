import Support

/// A view of chosen images of an `ImageSet`, by index, without copying pixels: a benchmark split
/// (e.g. the 25,000 "train" half of CIFAR-10), or a fixed seeded sample of one for evaluation.
public struct Subset: Sendable {
    public let base: ImageSet
    /// Indices into `base`, in the order the subset presents its images.
    public let indices: [Int]

    /// Every image of `base`, in file order.
    public init(_ base: ImageSet) {
        self.init(base, indices: Array(0..<base.count))
    }

    public init(_ base: ImageSet, indices: [Int]) {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < base.count }, "subset index outside the set")
        self.base = base
        self.indices = indices
    }

    public var count: Int { indices.count }
    public var shape: ImageShape { base.shape }
    public var classCount: Int { base.classCount }

    /// The label of the subset's `position`-th image.
    public func label(at position: Int) -> Int32 { base.labels[indices[position]] }

    /// The pixel bytes of the subset's `position`-th image.
    public func image(at position: Int) -> ArraySlice<UInt8> { base.image(indices[position]) }

    /// The images at the given positions of this subset, in that order.
    public func selecting(_ positions: [Int]) -> Subset {
        Subset(base, indices: positions.map { indices[$0] })
    }

    /// A fixed sample of `count` distinct images (all of them if the subset is smaller), chosen by `seed`
    /// alone: every path and every run that asks with the same seed measures on the same images.
    public func sample(_ count: Int, seed: UInt64) -> Subset {
        var random = SeededRandom(seed: seed).fork("subset-sample")
        return selecting(random.sample(min(count, self.count), from: self.count))
    }
}
