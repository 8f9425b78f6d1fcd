import SearchSpace

/// Every knob of a supernet training run (KSHOT.md). Checkpoints store it and refuse to resume under another.
public struct SupernetConfig: Codable, Hashable, Sendable {
    /// C, N, classes and input resolution of the skeleton.
    public var shape: NetworkShape
    /// Dictionary size; 1 is the one-shot (uniform path sampling) supernet.
    public var k: Int
    /// Total epochs of supernet steps, warm-up included.
    public var epochs: Int
    /// Leading epochs trained as one supernet (K = 1 semantics) before its weights are copied into the K items.
    public var warmupEpochs: Int
    public var batchSize: Int
    /// Base learning rate of the supernet's SGD (momentum, Nesterov), cosine-annealed per iteration to 0.
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    /// The simplex-net's Adam learning rate.
    public var simplexLearningRate: Float
    /// A simplex-net step after every `simplexEvery` supernet steps.
    public var simplexEvery: Int
    /// Paths per simplex-net step (the batch is split into this many chunks, one per path).
    public var simplexPaths: Int
    public var simplexHidden: Int
    /// Softmax temperature T of the simplex-net.
    public var temperature: Float
    /// Images of the training split used (a fixed seeded sample), nil for all of them.
    public var trainSubsetSize: Int?
    public var seed: UInt64
    /// How supernet steps draw their path; nil is `.uniform` (kept optional so older protocols encode unchanged).
    public var pathSampling: PathSampling?
    /// Largest L2 norm of one step's gradient over the tensors it updates (PyTorch's clip_grad_norm_); nil: no clipping.
    public var gradientClip: Float?
    /// The floor the cosine schedule anneals the learning rate to (nil: 0); equal to `learningRate` it is constant.
    /// Ranking peaks while the rate is high and falls as it anneals (benchmarks/results/ranking_protocol.md).
    public var minimumLearningRate: Float?

    // K-shot training options (issue 14); each nil is the behaviour before it, so older protocols encode unchanged.
    /// How dL/dw is shared out to the K items; nil is `.lambda`.
    public var itemGradient: ItemGradient?
    /// After the warm-up, items decay as the merged weight does (item k by wd * scale_k * w, scale_k as its gradient's)
    /// instead of each by wd * theta^k whatever its lambda_k; nil is false.
    public var mergedWeightDecay: Bool?
    /// At the switch to K items every item is multiplied element-wise by (1 + sigma * N(0, 1)), so the simplex gradient
    /// <theta^k, dL/dw> differs between items from the first step; nil: exact copies (the simplex gradient starts at 0).
    public var itemPerturbation: Float?
    /// At the switch every item's momentum starts at zero instead of as a copy of the warm-up's, which would push all
    /// items in lockstep for the next tens of steps; nil is false.
    public var freshItemMomentum: Bool?
    /// Images per path of a simplex-net step, drawn as its own batch of simplexPaths x this many images (stable
    /// training-mode BatchNorm statistics per path); nil: the supernet step's batch split into simplexPaths chunks.
    public var simplexImagesPerPath: Int?
    /// Epochs after the warm-up before the first simplex-net step (the items first diverge under the initial codes);
    /// nil is 0.
    public var simplexDelayEpochs: Int?
    /// Weight of KL(mean code of a simplex-net step's paths || uniform) in the simplex-net's loss: using every item is
    /// rewarded, while each path may still lean on one; nil is 0.
    public var codeBalance: Float?
    /// Few-shot NAS (Zhao et al., ICML 2021): after the warm-up the supernet is split on this edge into K = 5
    /// sub-supernets, one per operation, and a path is trained and scored by the one of its operation there (a one-hot
    /// code, no simplex-net); nil: K-shot.
    public var splitEdge: Int?

    public init(shape: NetworkShape, k: Int, epochs: Int, warmupEpochs: Int, batchSize: Int, learningRate: Float = 0.05,
                momentum: Float = 0.9, weightDecay: Float = 5e-4, simplexLearningRate: Float = 1e-3, simplexEvery: Int = 1,
                simplexPaths: Int = 16, simplexHidden: Int = 64, temperature: Float = 1, trainSubsetSize: Int? = nil,
                seed: UInt64) {
        self.shape = shape; self.k = k; self.epochs = epochs; self.warmupEpochs = warmupEpochs
        self.batchSize = batchSize; self.learningRate = learningRate; self.momentum = momentum
        self.weightDecay = weightDecay; self.simplexLearningRate = simplexLearningRate; self.simplexEvery = simplexEvery
        self.simplexPaths = simplexPaths; self.simplexHidden = simplexHidden; self.temperature = temperature
        self.trainSubsetSize = trainSubsetSize; self.seed = seed
    }

    /// CI size: C=4, N=1 on 128 images, 3 epochs (1 warm-up), batch 32; seconds on 2 cores.
    public static func tiny(k: Int, seed: UInt64, classes: Int = 10, resolution: Int = 32) -> SupernetConfig {
        SupernetConfig(shape: NetworkShape(channels: 4, cellsPerStage: 1, classes: classes, resolution: resolution), k: k,
                       epochs: 3, warmupEpochs: 1, batchSize: 32, learningRate: 0.05, trainSubsetSize: 128, seed: seed)
    }

    /// The reference study's budget (issue 7): about 15 minutes per run on ONE core, 500 path evaluations
    /// included, so two runs share the 2-core machine: C=8, N=1, batch 64, 15 epochs (3 warm-up) on CIFAR-10's 25k
    /// training half, a simplex-net step every 4 supernet steps. Measured single-thread costs
    /// (benchmarks/results/supernet.md): supernet step 0.069 s, simplex-net step 0.064 s, one path evaluation
    /// 0.87 s, so K = 1 takes about 15 x 390 x 0.069 + 500 x 0.87 s = 14 min and K > 1 about 17 min.
    public static func small(k: Int, seed: UInt64, classes: Int = 10, resolution: Int = 32) -> SupernetConfig {
        SupernetConfig(shape: NetworkShape(channels: 8, cellsPerStage: 1, classes: classes, resolution: resolution), k: k,
                       epochs: 15, warmupEpochs: 3, batchSize: 64, learningRate: 0.05, simplexEvery: 4, seed: seed)
    }

    /// The ranking protocol (issue 13): the `small` shape trained 25 epochs at a constant learning rate 0.05 (the
    /// cosine's floor at the base rate), paths drawn uniformly over the classes of connected cells, gradients clipped
    /// at 5; 10 warm-up epochs for K > 1 (a K = 1 run does not depend on them). Measured (one-shot, seed 0): Kendall
    /// tau-b 0.549 [0.513, 0.587] on the study's 500 paths at 0.33 core-hours with the evaluation
    /// (benchmarks/results/ranking_protocol.md); supernets ranked best while the rate was high, worse as it annealed.
    /// K > 1 runs train with every K-shot option of issue 14 on, the combination under which codes stopped collapsing
    /// (KShotOptionsTests; the old protocol put >= 0.87 mean weight on one item in 5 of 6 `small` runs): merged-rate
    /// item gradients (the merged weight learns at the one-shot rate), merged weight decay, items perturbed by 5 % with
    /// fresh momentum at the switch, simplex-net steps on their own batch of 8 paths x 8 images (the supernet batch's
    /// size, so the simplex-net costs about a quarter of the supernet steps at every 4th step) and a code-balance
    /// weight 0.3. None of them acts at K = 1 or changes the warm-up, so K > 1 runs branch from the one-shot warm-up.
    public static func medium(k: Int, seed: UInt64, classes: Int = 10, resolution: Int = 32) -> SupernetConfig {
        var config = SupernetConfig(shape: NetworkShape(channels: 8, cellsPerStage: 1, classes: classes, resolution: resolution), k: k,
                                    epochs: 25, warmupEpochs: 10, batchSize: 64, learningRate: 0.05, simplexEvery: 4,
                                    simplexPaths: k > 1 ? 8 : 16, seed: seed)
        config.minimumLearningRate = config.learningRate
        config.pathSampling = .nonIsomorphic
        config.gradientClip = 5
        return k > 1 ? config.withKShotOptions(simplexImagesPerPath: 8) : config
    }

    /// This configuration with every K-shot option of issue 14 on: merged-rate item gradients, merged weight decay,
    /// items perturbed by 5 % with fresh momentum at the switch, simplex-net steps on their own batch of
    /// `simplexImagesPerPath` images per path, code balance 0.3 (the combination under which codes stop collapsing).
    public func withKShotOptions(simplexImagesPerPath: Int) -> SupernetConfig {
        var c = self
        c.itemGradient = .mergedRate
        c.mergedWeightDecay = true
        c.itemPerturbation = 0.05
        c.freshItemMomentum = true
        c.simplexImagesPerPath = simplexImagesPerPath
        c.codeBalance = 0.3
        return c
    }

    /// The benchmark's network (C=16, N=5) with NB201's recipe (batch 256, lr 0.1 cosine, wd 5e-4) on the whole
    /// split; the 250-epoch budget with 50 warm-up epochs is ours (the paper gives none for NAS-Bench-201).
    public static func paper(k: Int, seed: UInt64, classes: Int = 10, resolution: Int = 32) -> SupernetConfig {
        SupernetConfig(shape: .benchmark(classes: classes, resolution: resolution), k: k, epochs: 250, warmupEpochs: 50,
                       batchSize: 256, learningRate: 0.1, seed: seed)
    }

    /// This configuration as a few-shot supernet split on `edge` (K = 5, one sub-supernet per operation there).
    public func fewShot(edge: Int) -> SupernetConfig {
        var c = self
        c.k = Operation.allCases.count
        c.splitEdge = edge
        return c
    }

    /// The preset names `preset(_:k:seed:classes:resolution:)` accepts.
    public static let presetNames = ["tiny", "small", "medium", "paper"]

    /// The preset of that name, nil for an unknown name.
    public static func preset(_ name: String, k: Int, seed: UInt64, classes: Int = 10, resolution: Int = 32) -> SupernetConfig? {
        switch name {
        case "tiny": .tiny(k: k, seed: seed, classes: classes, resolution: resolution)
        case "small": .small(k: k, seed: seed, classes: classes, resolution: resolution)
        case "medium": .medium(k: k, seed: seed, classes: classes, resolution: resolution)
        case "paper": .paper(k: k, seed: seed, classes: classes, resolution: resolution)
        default: nil
        }
    }

    /// Checks the knobs make sense together.
    public func validate() throws(SupernetError) {
        func check(_ ok: Bool, _ why: String) throws(SupernetError) { if !ok { throw .invalidConfiguration(why) } }
        try check(k >= 1, "K must be at least 1, got \(k)")
        try check(epochs >= 1, "the epoch budget must be at least 1, got \(epochs)")
        try check((0...epochs).contains(warmupEpochs), "warm-up epochs \(warmupEpochs) must lie in 0...\(epochs) (the budget includes them)")
        try check(batchSize >= 1, "batch size must be positive, got \(batchSize)")
        try check(k == 1 || splitEdge != nil || simplexImagesPerPath != nil || batchSize >= simplexPaths,
                  "batch \(batchSize) cannot be split into \(simplexPaths) simplex-net chunks")
        try check(simplexImagesPerPath.map { $0 >= 1 } ?? true, "simplex-net images per path must be positive, got \(simplexImagesPerPath ?? 0)")
        try check(simplexDelayEpochs.map { $0 >= 0 } ?? true, "the simplex-net delay must not be negative, got \(simplexDelayEpochs ?? 0)")
        try check(itemPerturbation.map { $0 >= 0 && $0.isFinite } ?? true, "the item perturbation must be a number >= 0, got \(itemPerturbation ?? 0)")
        try check(codeBalance.map { $0 >= 0 && $0.isFinite } ?? true, "the code-balance weight must be a number >= 0, got \(codeBalance ?? 0)")
        try check(splitEdge.map { (0..<Cell.edgeCount).contains($0) && k == Operation.allCases.count } ?? true,
                  "few-shot splits edge \(splitEdge ?? 0) (0..<\(Cell.edgeCount)) into K = \(Operation.allCases.count) sub-supernets, got K = \(k)")
        try check(simplexEvery >= 1 && simplexPaths >= 1 && simplexHidden >= 1, "simplex-net every/paths/hidden must be positive")
        try check(temperature > 0, "temperature must be positive, got \(temperature)")
        try check(minimumLearningRate.map { (0...learningRate).contains($0) } ?? true,
                  "the learning-rate floor \(minimumLearningRate ?? 0) must lie in 0...\(learningRate) (the base rate)")
        try check(gradientClip.map { $0 > 0 && $0.isFinite } ?? true, "the gradient clip must be a positive number, got \(gradientClip ?? 0)")
        try check(trainSubsetSize.map { $0 >= batchSize } ?? true, "train subset \(trainSubsetSize ?? 0) is smaller than one batch of \(batchSize)")
        try check(trainSubsetSize.map { $0 >= simplexPaths * (simplexImagesPerPath ?? 0) } ?? true,
                  "train subset \(trainSubsetSize ?? 0) is smaller than one simplex-net batch of \(simplexPaths) x \(simplexImagesPerPath ?? 0)")
    }
}

/// Which cells supernet steps train on.
public enum PathSampling: String, Codable, Hashable, Sendable, CaseIterable {
    /// Uniform over the 15,625 cells: isomorphic cells are drawn as often as their class is large, and 341 of the
    /// cells (1 step in 46) are disconnected (zero output: only the stem and head learn).
    case uniform
    /// Uniform over the benchmark's isomorphism classes of connected cells (one representative each, the class's
    /// smallest ordinal), as the ranking samples paths.
    case nonIsomorphic = "non-isomorphic"
}
