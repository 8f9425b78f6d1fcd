import Support
import SearchSpace

/// Which batch of which epoch: what a trainer checkpoints to resume mid-epoch.
public struct BatchPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let epoch: Int
    public let batch: Int

    public init(epoch: Int, batch: Int) {
        self.epoch = epoch
        self.batch = batch
    }

    public static let start = BatchPosition(epoch: 0, batch: 0)
    public static func < (a: BatchPosition, b: BatchPosition) -> Bool { (a.epoch, a.batch) < (b.epoch, b.batch) }
    public var description: String { "epoch \(epoch) batch \(batch)" }
}

/// One batch, ready for the network: normalised Float32 NCHW images and their class targets
/// (the `[Float]` / `[Int32]` pair a training or evaluation step takes).
public struct Batch: Sendable {
    public let position: BatchPosition
    public let shape: ImageShape
    /// count x channels x height x width, contiguous.
    public let images: [Float]
    public let labels: [Int32]

    public var count: Int { labels.count }
}

/// How a subset becomes batches: order, size, augmentation and normalisation, all fixed by a seed.
/// Every batch is a pure function of (seed, epoch, batch index): epoch e's order is a shuffle drawn from the
/// stream `fork("order/e")`, and batch b's augmentation from `fork("augment/e/b")`, so any batch can be
/// rebuilt alone (resume mid-epoch, prefetch on another thread) and equals the one a full replay gives.
public struct BatchPlan: Sendable {
    public let subset: Subset
    public let batchSize: Int
    public let normalization: Normalization
    public let augmentation: Augmentation
    public let shuffle: Bool
    /// Drop a last, smaller batch (the reference's DataLoader keeps it; fixed-size steps may prefer not to).
    public let dropLast: Bool
    public let seed: UInt64
    private let table: [Float]

    public init(subset: Subset, batchSize: Int, normalization: Normalization, augmentation: Augmentation = .none,
                shuffle: Bool = false, dropLast: Bool = false, seed: UInt64 = 0) {
        precondition(batchSize > 0 && normalization.mean.count == subset.shape.channels)
        self.subset = subset
        self.batchSize = batchSize
        self.normalization = normalization
        self.augmentation = augmentation
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.table = normalization.lookupTable()
    }

    /// Training batches as the NB201 reference draws them: shuffled every epoch, random crop and flip,
    /// the dataset's normalisation.
    public static func training(_ subset: Subset, dataset: BenchmarkDataset, batchSize: Int, seed: UInt64,
                                dropLast: Bool = false) -> BatchPlan {
        BatchPlan(subset: subset, batchSize: batchSize, normalization: dataset.normalization,
                  augmentation: dataset.trainingAugmentation, shuffle: true, dropLast: dropLast, seed: seed)
    }

    /// Evaluation / BN-calibration batches: subset order, no augmentation, the dataset's normalisation.
    public static func evaluation(_ subset: Subset, dataset: BenchmarkDataset, batchSize: Int) -> BatchPlan {
        BatchPlan(subset: subset, batchSize: batchSize, normalization: dataset.normalization)
    }

    public var batchesPerEpoch: Int {
        dropLast ? subset.count / batchSize : (subset.count + batchSize - 1) / batchSize
    }

    /// The order epoch `epoch` visits the subset in, as positions into it.
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<subset.count)
        if shuffle {
            var random = SeededRandom(seed: seed).fork("order/\(epoch)")
            random.shuffle(&order)
        }
        return order
    }

    /// Batch `position` alone (computes the epoch's order; loops over an epoch should use `forEachBatch`).
    public func batch(_ position: BatchPosition) -> Batch {
        batch(position, order: order(epoch: position.epoch))
    }

    /// Every batch of one epoch from batch `first` on (a resumed epoch), in order.
    public func forEachBatch(epoch: Int, from first: Int = 0, _ body: (Batch) throws -> Void) rethrows {
        let order = order(epoch: epoch)
        for b in first..<batchesPerEpoch { try body(batch(BatchPosition(epoch: epoch, batch: b), order: order)) }
    }

    /// Batch `position` given its epoch's `order`.
    func batch(_ position: BatchPosition, order: [Int]) -> Batch {
        precondition(position.batch >= 0 && position.batch < batchesPerEpoch, "no \(position) in this plan")
        let start = position.batch * batchSize
        let positions = order[start ..< min(start + batchSize, order.count)]
        var random = SeededRandom(seed: seed).fork("augment/\(position.epoch)/\(position.batch)")
        let shape = subset.shape, size = shape.elementCount
        var labels = [Int32]()
        labels.reserveCapacity(positions.count)
        let images = [Float](unsafeUninitializedCapacity: positions.count * size) { dst, initialized in
            subset.base.pixels.withUnsafeBufferPointer { px in
                table.withUnsafeBufferPointer { lut in
                    for (k, p) in positions.enumerated() {
                        let index = subset.indices[p]
                        let transform = augmentation.draw(using: &random)
                        transform.write(px.baseAddress! + index * size, shape: shape, table: lut.baseAddress!,
                                        to: dst.baseAddress! + k * size)
                        labels.append(subset.base.labels[index])
                    }
                }
            }
            initialized = positions.count * size
        }
        return Batch(position: position, shape: shape, images: images, labels: labels)
    }
}
