import Support
import Datasets
import Engine
import SearchSpace

/// A trained supernet's estimate for one path.
public struct PathEstimate: Sendable, Equatable {
    public let cell: Cell
    /// Top-1 accuracy on the validation subset, in percent (the benchmark's unit).
    public let accuracy: Double
    /// Mean cross-entropy on the validation subset.
    public let loss: Double
    /// The simplex code the path's weights were merged with.
    public let lambda: [Float]
}

/// Evaluates paths of a trained supernet (KSHOT.md): lambda = pi(alpha), merged weights, exact BatchNorm
/// recalibration on fixed training batches (no augmentation), then accuracy and loss in inference mode on a
/// fixed validation subset. The calibration and validation images are the same for every path and every K.
public final class PathEvaluator {
    public let trainer: SupernetTrainer
    let calibration: [Batch]
    let validation: [Batch]

    /// With `batchStatistics` BatchNorm normalises each validation batch by its own statistics (no calibration).
    public let batchStatistics: Bool

    /// `calibrationBatches` x `calibrationBatchSize` images sampled from `calibration` and `validationImages`
    /// from `validation`, both chosen by `seed` alone.
    public init(trainer: SupernetTrainer, calibration: Subset, validation: Subset, dataset: BenchmarkDataset,
                calibrationBatches: Int = 10, calibrationBatchSize: Int = 64, validationImages: Int = 2000,
                validationBatchSize: Int = 250, batchStatistics: Bool = false, seed: UInt64) {
        self.trainer = trainer
        self.batchStatistics = batchStatistics
        let root = SeededRandom(seed: seed)
        let calibrationSet = calibration.sample(calibrationBatches * calibrationBatchSize, seed: root.fork("calibration").seed)
        let validationSet = validation.sample(validationImages, seed: root.fork("validation").seed)
        self.calibration = Self.batches(.evaluation(calibrationSet, dataset: dataset, batchSize: calibrationBatchSize))
        self.validation = Self.batches(.evaluation(validationSet, dataset: dataset, batchSize: validationBatchSize))
    }

    private static func batches(_ plan: BatchPlan) -> [Batch] {
        var all: [Batch] = []
        plan.forEachBatch(epoch: 0) { all.append($0) }
        return all
    }

    public var validationCount: Int { validation.reduce(0) { $0 + $1.count } }

    public func evaluate(_ cell: Cell) -> PathEstimate {
        let net = trainer.supernet, classes = net.shape.classes
        let lambda = trainer.code(cell)
        net.setPath(cell, lambda: lambda)
        if !batchStatistics {
            let statistics = net.batchNormStatistics
            statistics.forEach { $0.beginCalibration() }
            net.phase = .training
            for b in calibration { _ = b.images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: b.count) } }
            statistics.forEach { $0.finishCalibration() }
        }
        net.phase = batchStatistics ? .training : .inference
        defer { net.phase = .training }
        var loss = 0.0, correct = 0, count = 0
        for b in validation {
            let z = b.images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: b.count) }
            let result = b.labels.withUnsafeBufferPointer {
                softmaxCrossEntropy(logits: z.data, labels: $0.baseAddress!, batch: b.count, classes: classes, logitsGrad: nil)
            }
            loss += Double(result.loss) * Double(b.count)
            correct += result.correct
            count += b.count
        }
        return PathEstimate(cell: cell, accuracy: 100 * Double(correct) / Double(count), loss: loss / Double(count), lambda: lambda)
    }
}
