import Engine

/// Trains and evaluates one network with SGD and a per-iteration cosine schedule (NB201's recipe by default).
public final class Trainer {
    public let network: NB201Network
    public let optimizer: SGD
    public let schedule: CosineSchedule
    public private(set) var iteration = 0
    private var logitsGrad = Slot()

    /// `totalIterations` = epochs * iterations per epoch: the learning rate anneals once per iteration.
    public init(network: NB201Network, learningRate: Float = 0.1, momentum: Float = 0.9, weightDecay: Float = 5e-4,
                nesterov: Bool = true, totalIterations: Int) {
        self.network = network
        optimizer = SGD(parameters: network.parameters, learningRate: learningRate, momentum: momentum,
                        weightDecay: weightDecay, nesterov: nesterov)
        schedule = CosineSchedule(base: learningRate, total: totalIterations)
    }

    /// Everything a resumed run needs besides `iteration`: weights, momentum buffers and BatchNorm running statistics.
    public var stateTensors: [Tensor] {
        network.parameters.map(\.value) + optimizer.momentumBuffers + network.batchNormStatistics.flatMap { [$0.mean, $0.variance] }
    }

    /// Continues a run from a checkpoint written after `iteration` steps (its state tensors already restored).
    public func resume(atIteration iteration: Int) {
        self.iteration = iteration
    }

    /// One SGD step on a batch of NCHW images; returns the batch's mean cross-entropy before the update.
    public func trainStep(images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int) -> Float {
        network.phase = .training
        optimizer.zeroGradients()
        let logits = network.forward(images: images, batch: batch)
        let dz = logitsGrad.get(logits.shape)
        let result = softmaxCrossEntropy(logits: logits.data, labels: labels, batch: batch, classes: network.shape.classes, logitsGrad: dz.data)
        network.backward(logitsGrad: dz.data)
        optimizer.learningRate = schedule.learningRate(at: iteration)
        optimizer.step()
        iteration += 1
        return result.loss
    }

    /// Correct predictions and mean loss on a batch, with BatchNorm's stored statistics.
    public func evaluate(images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int) -> (correct: Int, loss: Float) {
        network.phase = .inference
        defer { network.phase = .training }
        let logits = network.forward(images: images, batch: batch)
        let result = softmaxCrossEntropy(logits: logits.data, labels: labels, batch: batch, classes: network.shape.classes, logitsGrad: nil)
        return (result.correct, result.loss)
    }

    public func trainStep(images: [Float], labels: [Int32]) -> Float {
        precondition(images.count == labels.count * network.inputCountPerImage, "\(images.count) floats for \(labels.count) images")
        return images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { trainStep(images: x.baseAddress!, labels: $0.baseAddress!, batch: labels.count) }
        }
    }

    public func evaluate(images: [Float], labels: [Int32]) -> (correct: Int, loss: Float) {
        precondition(images.count == labels.count * network.inputCountPerImage, "\(images.count) floats for \(labels.count) images")
        return images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { evaluate(images: x.baseAddress!, labels: $0.baseAddress!, batch: labels.count) }
        }
    }
}

extension NB201Network {
    /// Floats per NCHW input image: 3 * resolution^2.
    public var inputCountPerImage: Int { 3 * shape.resolution * shape.resolution }

    /// Exact BatchNorm recalibration: resets nothing but replaces every running statistic by the exact mean and
    /// variance over all `batches` (each forwarded in the training phase, weights untouched).
    public func recalibrateBatchNorm(_ batches: [(images: UnsafePointer<Float>, batch: Int)]) {
        let stats = batchNormStatistics
        stats.forEach { $0.beginCalibration() }
        let saved = phase
        phase = .training
        for b in batches { _ = forward(images: b.images, batch: b.batch) }
        phase = saved
        stats.forEach { $0.finishCalibration() }
    }
}
