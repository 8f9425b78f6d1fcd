import Datasets
import SearchSpace

/// The one batch every proxy is measured on: normalised NCHW images and their labels.
public struct ProxyBatch: Sendable {
    public let images: [Float]
    public let labels: [Int32]
    public let resolution: Int

    public init(images: [Float], labels: [Int32], resolution: Int) {
        precondition(images.count == labels.count * 3 * resolution * resolution, "images do not match \(labels.count) labels at \(resolution)x\(resolution)")
        self.images = images
        self.labels = labels
        self.resolution = resolution
    }

    public var count: Int { labels.count }

    /// `count` images of `subset` chosen by `seed` alone (Subset.sample), normalised with the dataset's
    /// constants, no augmentation.
    public static func sample(_ subset: Subset, dataset: BenchmarkDataset, count: Int, seed: UInt64) -> ProxyBatch {
        let chosen = subset.sample(count, seed: seed)
        let batch = BatchPlan.evaluation(chosen, dataset: dataset, batchSize: chosen.count).batch(.start)
        return ProxyBatch(images: batch.images, labels: batch.labels, resolution: batch.shape.height)
    }
}
