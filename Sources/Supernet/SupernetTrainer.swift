import Support
import Datasets
import Engine
import Networks
import SearchSpace

/// What one epoch of supernet training did.
public struct EpochLog: Sendable, Equatable {
    public let epoch: Int
    /// Mean cross-entropy and accuracy of the supernet steps (each on its own sampled path, before its update).
    public let loss: Double, accuracy: Double
    /// Mean cross-entropy of the simplex-net steps (nil when there were none: K = 1 or warm-up).
    public let simplexLoss: Double?
    public let learningRate: Float
    public let images: Int
    public let seconds: Double
    /// K-shot after the warm-up: the simplex codes of the fixed probe paths at the epoch's end (nil otherwise).
    public let codes: CodeSummary?
    /// False when `shouldStop` ended the epoch early: the figures cover the batches trained before the stop (the
    /// epoch's log after the resume covers the rest), so run totals stay exact across interruptions.
    public let complete: Bool
}

/// Trains a K-shot supernet and its simplex-net (KSHOT.md, Algorithm 1 as the project runs it): warm-up epochs
/// as one supernet, then the copy into K items, then alternating supernet and simplex-net steps. K = 1 is the
/// uniform-sampling one-shot supernet. Every draw is a pure function of (seed, iteration), and checkpoints are
/// written at epoch ends, so a resumed run continues bit-identically.
public final class SupernetTrainer {
    public let config: SupernetConfig
    public let supernet: KShotSupernet
    /// nil for K = 1.
    public let simplex: SimplexNet?
    /// One SGD per weight tensor over its K items. Only the tensors of the step's path are stepped, as PyTorch
    /// does with `zero_grad(set_to_none=True)` (an op off the path gets no decay or momentum step).
    let optimizers: [SGD]
    let simplexOptimizer: Adam?
    public let plan: BatchPlan
    /// The simplex-net steps' own batches (`simplexImagesPerPath`), nil when they split the supernet step's batch.
    let simplexPlan: BatchPlan?
    let schedule: CosineSchedule
    /// Epochs completed.
    public internal(set) var epoch = 0
    /// Batches of the current epoch completed (non-zero only after an interruption inside an epoch).
    public internal(set) var batchInEpoch = 0
    private let root: SeededRandom
    private var logitsGrad: Tensor?

    /// `training` is the split the weights learn from; `dataset` supplies its normalisation and augmentation.
    /// `separateWorking` runs K = 1 through the merge code (tests only).
    public init(config: SupernetConfig, training: Subset, dataset: BenchmarkDataset, separateWorking: Bool = false) throws(SupernetError) {
        try config.validate()
        guard training.classCount <= config.shape.classes, training.shape.height == config.shape.resolution else {
            throw .invalidConfiguration("training data has \(training.classCount) classes at \(training.shape) but the network has \(config.shape.classes) classes at \(config.shape.resolution) px")
        }
        self.config = config
        let root = SeededRandom(seed: config.seed)
        self.root = root
        supernet = KShotSupernet(shape: config.shape, k: config.k, rng: root.fork("supernet-init"), separateWorking: separateWorking)
        supernet.itemGradient = config.itemGradient ?? .lambda
        let subset = config.trainSubsetSize.map { training.sample($0, seed: root.fork("train-subset").seed) } ?? training
        plan = .training(subset, dataset: dataset, batchSize: config.batchSize, seed: root.fork("batches").seed, dropLast: true)
        simplexPlan = config.simplexImagesPerPath.map { perPath in
            .training(subset, dataset: dataset, batchSize: config.simplexPaths * perPath, seed: root.fork("simplex-batches").seed, dropLast: true)
        }
        guard plan.batchesPerEpoch > 0 && simplexPlan.map({ $0.batchesPerEpoch > 0 }) ?? true else {
            throw .invalidConfiguration("\(subset.count) training images do not fill one batch of \(config.batchSize) (or one simplex-net batch)")
        }
        let items = supernet.dictionary.items
        optimizers = items[0].indices.map { i in
            SGD(parameters: items.map { $0[i] }, learningRate: config.learningRate, momentum: config.momentum,
                weightDecay: config.weightDecay, nesterov: true)
        }
        schedule = CosineSchedule(base: config.learningRate, minimum: config.minimumLearningRate ?? 0,
                                  total: config.epochs * plan.batchesPerEpoch)
        if config.k > 1 && config.splitEdge == nil {
            let net = SimplexNet(hidden: config.simplexHidden, k: config.k, temperature: config.temperature, rng: root.fork("simplex-init"))
            simplex = net
            simplexOptimizer = Adam(parameters: net.parameters, learningRate: config.simplexLearningRate)
        } else {
            simplex = nil
            simplexOptimizer = nil
        }
        if config.warmupEpochs == 0 { switchToItems() }
    }

    public var isFinished: Bool { epoch >= config.epochs }
    public var inWarmup: Bool { epoch < config.warmupEpochs }

    /// The path of supernet step `iteration`, drawn as `config.pathSampling` says.
    func samplePath(_ iteration: Int, _ label: String = "path") -> Cell {
        var random = root.fork("\(label)/\(iteration)")
        switch config.pathSampling ?? .uniform {
        case .uniform: return try! Cell(ordinal: random.nextInt(below: Cell.spaceSize))
        case .nonIsomorphic:
            let classes = Cell.connectedClassRepresentatives
            return classes[random.nextInt(below: classes.count)]
        }
    }

    /// lambda of a path: theta^1 alone in the warm-up (and for K = 1), then the simplex-net's code, or for few-shot the
    /// sub-supernet of the path's operation on the split edge.
    public func code(_ cell: Cell) -> [Float] {
        func item(_ k: Int) -> [Float] { (0..<config.k).map { $0 == k ? 1 : 0 } }
        guard !inWarmup else { return item(0) }
        if let simplex { return simplex.code(cell) }
        return config.splitEdge.map { item(Int(cell.ops[$0].rawValue)) } ?? item(0)
    }

    /// Paths whose codes the epoch logs summarise: fixed by the seed, drawn as supernet steps draw theirs.
    lazy var codeProbes: [Cell] = (0..<64).map { samplePath($0, "code-probe") }

    /// The codes of the probe paths, summarised (K-shot after the warm-up only).
    public func codeSummary() -> CodeSummary? {
        guard let simplex, !inWarmup else { return nil }
        let lambdas = simplex.forward(codeProbes.flatMap(\.oneHot)).map(Double.init)
        return CodeSummary(codes: stride(from: 0, to: lambdas.count, by: config.k).map { Array(lambdas[$0..<($0 + config.k)]) })
    }

    /// Whether iteration `iteration` ends with a simplex-net step.
    func takesSimplexStep(_ iteration: Int) -> Bool {
        simplex != nil && epoch >= config.warmupEpochs + (config.simplexDelayEpochs ?? 0) && iteration % config.simplexEvery == 0
    }

    /// The batch a simplex-net step at `iteration` learns from: its own when `simplexImagesPerPath` is set.
    func simplexBatch(_ iteration: Int, supernetBatch: Batch) -> Batch {
        guard let simplexPlan else { return supernetBatch }
        let perEpoch = simplexPlan.batchesPerEpoch
        return simplexPlan.batch(BatchPosition(epoch: iteration / perEpoch, batch: iteration % perEpoch))
    }

    /// Trains the rest of the current epoch. `shouldStop` is asked between batches: when it says yes the epoch is
    /// left part-done (`batchInEpoch` says where) and the log, marked incomplete, covers the batches trained so far;
    /// resuming from there replays exactly the draws an uninterrupted run makes, since every draw is a function of
    /// (seed, iteration). The log of an epoch that was interrupted covers the batches trained after the resume.
    @discardableResult
    public func trainEpoch(shouldStop: () -> Bool = { false }) -> EpochLog {
        precondition(!isFinished, "the run's \(config.epochs) epochs are done")
        let start = ContinuousClock.now
        var loss = 0.0, correct = 0, images = 0, simplexLoss = 0.0, simplexSteps = 0
        let perEpoch = plan.batchesPerEpoch
        let logEpoch = epoch + 1
        func log(complete: Bool) -> EpochLog {
            EpochLog(epoch: logEpoch, loss: loss / Double(max(images, 1)), accuracy: Double(correct) / Double(max(images, 1)),
                     simplexLoss: simplexSteps > 0 ? simplexLoss / Double(simplexSteps) : nil,
                     learningRate: schedule.learningRate(at: epoch * perEpoch + batchInEpoch), images: images,
                     seconds: seconds(since: start), codes: complete ? codeSummary() : nil, complete: complete)
        }
        while batchInEpoch < perEpoch {
            if shouldStop() { return log(complete: false) }
            let batch = plan.batch(BatchPosition(epoch: epoch, batch: batchInEpoch))
            let iteration = epoch * perEpoch + batchInEpoch
            let result = supernetStep(batch, iteration: iteration)
            loss += Double(result.loss) * Double(batch.count)
            correct += result.correct
            images += batch.count
            if takesSimplexStep(iteration) {
                simplexLoss += simplexStep(simplexBatch(iteration, supernetBatch: batch), iteration: iteration)
                simplexSteps += 1
            }
            batchInEpoch += 1
        }
        epoch += 1
        batchInEpoch = 0
        if epoch == config.warmupEpochs { switchToItems() }
        return log(complete: true)
    }

    /// Trains the remaining epochs, writing a checkpoint after each one when `checkpoint` is given, and hands every
    /// epoch's log to `progress`. When `shouldStop` says yes between two batches, a checkpoint of the part-done epoch
    /// is written, its incomplete log handed over, and it returns.
    public func train(checkpoint: String? = nil, stopAfter lastEpoch: Int? = nil, shouldStop: () -> Bool = { false },
                      progress: (EpochLog) -> Void = { _ in }) throws(SupernetError) {
        while !isFinished && epoch < (lastEpoch ?? config.epochs) {
            let log = trainEpoch(shouldStop: shouldStop)
            if let checkpoint { try writeCheckpoint(to: checkpoint) }
            progress(log)
            if !log.complete { return }
        }
    }

    /// One SGD step of the K items of the path's tensors on the path sampled for `iteration`, its code held fixed (an
    /// item of weight 0, e.g. in the warm-up or another sub-supernet of few-shot, gets no step).
    public func supernetStep(_ batch: Batch, iteration: Int) -> CrossEntropyResult {
        supernetStep(batch, path: samplePath(iteration), iteration: iteration)
    }

    /// The step on a given path (`iteration` sets the learning rate).
    func supernetStep(_ batch: Batch, path cell: Cell, iteration: Int) -> CrossEntropyResult {
        supernet.phase = .training
        supernet.setPath(cell, lambda: code(cell))
        let used = supernet.usedTensors(cell)
        for i in used { optimizers[i].zeroGradients() }
        let result = forwardBackward(batch.images[...], batch.labels[...]) { dz in
            supernet.backward(logitsGrad: dz, itemGradients: true)
        }
        if let limit = config.gradientClip { clipGradientNorm(used, to: limit) }
        // The warm-up keeps the one-shot decay, so it stays bit-identical to the K = 1 run's.
        let decaysMergedWeight = config.mergedWeightDecay == true && config.k > 1 && !inWarmup
        if decaysMergedWeight { supernet.addMergedWeightDecay(config.weightDecay) }
        let rate = schedule.learningRate(at: iteration)
        let stepped = supernet.lambda.indices.filter { supernet.lambda[$0] != 0 }
        for i in used {
            optimizers[i].learningRate = rate
            optimizers[i].weightDecay = decaysMergedWeight ? 0 : config.weightDecay
            optimizers[i].step(only: stepped)
        }
        return result
    }

    /// One simplex-net update: `simplexPaths` paths, the batch split into as many chunks (chunk i through path i
    /// with lambda_i = pi(alpha_i)), mean cross-entropy over the batch plus the code-balance term, supernet weights
    /// fixed. Returns the cross-entropy.
    public func simplexStep(_ batch: Batch, iteration: Int) -> Double {
        guard let simplex, let simplexOptimizer else { return 0 }
        let paths = (0..<config.simplexPaths).map { samplePath($0 + iteration * config.simplexPaths, "simplex-path") }
        let lambdas = simplex.forward(paths.flatMap(\.oneHot))
        let k = config.k, n = batch.count, per = batch.images.count / n
        var lambdaGrad = [Float](repeating: 0, count: lambdas.count)
        var loss = 0.0
        supernet.phase = .training
        for (i, cell) in paths.enumerated() {
            let lo = n * i / paths.count, hi = n * (i + 1) / paths.count
            let share = Double(hi - lo) / Double(n)
            supernet.setPath(cell, lambda: Array(lambdas[(i * k)..<((i + 1) * k)]))
            var dLambda: [Double] = []
            let result = forwardBackward(batch.images[(lo * per)..<(hi * per)], batch.labels[lo..<hi]) { dz in
                dLambda = supernet.backward(logitsGrad: dz, itemGradients: false, lambdaGradient: true)
            }
            loss += Double(result.loss) * share
            for j in 0..<k { lambdaGrad[i * k + j] = Float(dLambda[j] * share) }
        }
        if let weight = config.codeBalance, weight > 0 {
            let balance = codeBalancePenalty(lambdas, k: k)
            for j in lambdaGrad.indices { lambdaGrad[j] += weight * balance.gradient[j] }
        }
        simplexOptimizer.zeroGradients()
        simplex.backward(lambdaGrad)
        simplexOptimizer.step()
        return loss
    }

    /// Scales the gradients of every item of the `used` tensors by limit / (norm + 1e-6) when their joint L2 norm
    /// exceeds `limit` (torch.nn.utils.clip_grad_norm_ over the parameters that have a gradient this step).
    func clipGradientNorm(_ used: [Int], to limit: Float) {
        var squares = 0.0
        for i in used {
            for p in optimizers[i].parameters {
                let g = p.grad.data
                for j in 0..<p.count { squares += Double(g[j]) * Double(g[j]) }
            }
        }
        let scale = Float(Double(limit) / (squares.squareRoot() + 1e-6))
        guard scale < 1 else { return }
        for i in used { for p in optimizers[i].parameters { p.grad.scale(by: scale) } }
    }

    /// Forward, mean cross-entropy and its gradient, then `backward(dL/dlogits)`.
    private func forwardBackward(_ images: ArraySlice<Float>, _ labels: ArraySlice<Int32>,
                                 backward: (UnsafePointer<Float>) -> Void) -> CrossEntropyResult {
        let n = labels.count, classes = config.shape.classes
        let z = images.withUnsafeBufferPointer { supernet.forward(images: $0.baseAddress!, batch: n) }
        if logitsGrad?.shape != z.shape { logitsGrad = Tensor(shape: z.shape) }
        let dz = logitsGrad!
        let result = labels.withUnsafeBufferPointer {
            softmaxCrossEntropy(logits: z.data, labels: $0.baseAddress!, batch: n, classes: classes, logitsGrad: dz.data)
        }
        backward(dz.data)
        return result
    }

    /// End of warm-up: every item (and its momentum) becomes a copy of the warm-up supernet theta^1; then, as the
    /// protocol asks, the items are perturbed and their momentum restarted.
    func switchToItems() {
        let items = supernet.dictionary.items
        guard items.count > 1 else { return }
        var noise = root.fork("item-perturbation")
        for (i, sgd) in optimizers.enumerated() {
            for k in 1..<items.count {
                items[k][i].value.copy(from: items[0][i].value)
                sgd.momentumBuffers[k].copy(from: sgd.momentumBuffers[0])
            }
            if config.freshItemMomentum == true { sgd.momentumBuffers.forEach { $0.zero() } }
            if let sigma = config.itemPerturbation, sigma > 0 {
                for item in items {
                    let w = item[i].value
                    for c in 0..<w.count { w[c] *= 1 + sigma * noise.nextGaussian() }
                }
            }
        }
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
