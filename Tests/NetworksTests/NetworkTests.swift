import Support
import Testing
import Engine
import SearchSpace
@testable import Networks

@Suite(.serialized) struct NetworkTests {
    static let best = try! Cell(archString: "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|")
    static let everyOp = try! Cell(archString: "|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")

    init() { EngineConfig.threading = .batchSplit(workers: 2) }

    @Test func parameterCountMatchesCostModel() throws {
        let shape = NetworkShape.benchmark(classes: 10, resolution: 32)
        let net = NB201Network(cell: Self.best, shape: shape, rng: SeededRandom(seed: 1))
        #expect(net.parameterCount == 1_073_466)
        for arch in ["|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", Self.everyOp.archString] {
            let cell = try Cell(archString: arch)
            let shape = NetworkShape(channels: 8, cellsPerStage: 2, classes: 100, resolution: 16)
            #expect(NB201Network(cell: cell, shape: shape, rng: SeededRandom(seed: 1)).parameterCount == Cost(cell: cell, shape: shape).parameters)
        }
    }

    /// Whole-network backward against finite differences of the cross-entropy loss (training-phase BN),
    /// a few coordinates of every parameter tensor of a C=4, N=1, 8x8 network. A coordinate whose +-step
    /// interval straddles a ReLU kink somewhere in the network (its one-sided differences disagree) says
    /// nothing about backward and is skipped; most coordinates must be smooth and all of those must agree.
    /// The cells cover the backward's bookkeeping of which gradient buffers hold a contribution yet: every op; a
    /// node no edge reads (node 1); a skip adding to a node a pool wrote first; a node read by two convolutions and
    /// an input read only through them; an output cut off from the input (every gradient into the cell is zero).
    @Test(arguments: [everyOp.archString,
                      "|nor_conv_3x3~0|+|avg_pool_3x3~0|none~1|+|nor_conv_1x1~0|none~1|skip_connect~2|",
                      "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|avg_pool_3x3~1|skip_connect~2|",
                      "|nor_conv_1x1~0|+|none~0|nor_conv_3x3~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|",
                      "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"])
    func wholeNetworkGradient(arch: String) throws {
        let shape = NetworkShape(channels: 4, cellsPerStage: 1, classes: 5, resolution: 8)
        let net = NB201Network(cell: try Cell(archString: arch), shape: shape, rng: SeededRandom(seed: 3))
        var rng = SeededRandom(seed: 4)
        let batch = 8
        let images = (0..<(batch * net.inputCountPerImage)).map { _ in rng.nextGaussian() }
        let labels = (0..<batch).map { _ in Int32(rng.nextInt(below: 5)) }
        func loss() -> Double {
            let z = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: batch) }
            var total = 0.0
            for n in 0..<batch {
                let row = (0..<5).map { Double(z[n * 5 + $0]) }
                let m = row.max()!
                total += m + _log(row.map { _exp($0 - m) }.reduce(0, +)) - row[Int(labels[n])]
            }
            return total / Double(batch)
        }
        let base = loss()
        let z = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: batch) }
        let dz = Tensor(shape: z.shape)
        _ = labels.withUnsafeBufferPointer { softmaxCrossEntropy(logits: z.data, labels: $0.baseAddress!, batch: batch, classes: 5, logitsGrad: dz.data) }
        // A backward of other logit gradients first leaves its values in every scratch buffer: the checked backward
        // must overwrite, never read, what a previous step left there.
        let other = Tensor(shape: z.shape)
        for i in 0..<other.count { other[i] = rng.nextGaussian() }
        net.backward(logitsGrad: other.data)
        for p in net.parameters { p.grad.zero() }
        net.backward(logitsGrad: dz.data)
        var worst = 0.0, smooth = 0, kinked = 0
        let step: Float = 1e-4
        for p in net.parameters {
            for i in rng.sample(min(3, p.count), from: p.count) {
                let saved = p.value[i]
                p.value[i] = saved + step; let up = loss()
                p.value[i] = saved - step; let down = loss()
                p.value[i] = saved
                let forward = (up - base) / Double(step), backward = (base - down) / Double(step)
                let analytic = Double(p.grad[i])
                let tolerance = 3e-3 + 2e-2 * abs(analytic)
                if abs(forward - backward) > tolerance / 2 { kinked += 1; continue }
                smooth += 1
                worst = max(worst, abs((forward + backward) / 2 - analytic) / tolerance)
            }
        }
        #expect(smooth > 4 * kinked && smooth > 60, "\(smooth) smooth coordinates, \(kinked) straddle a kink")
        #expect(worst <= 1, "worst finite-difference violation ratio \(worst)")
    }

    /// CI-sized training: a tiny network fits a fixed random batch; the loss must fall well below its start.
    @Test func lossFallsOnRandomData() {
        let shape = NetworkShape(channels: 4, cellsPerStage: 1, classes: 4, resolution: 8)
        let net = NB201Network(cell: Self.best, shape: shape, rng: SeededRandom(seed: 11))
        var rng = SeededRandom(seed: 12)
        let batch = 16
        let images = (0..<(batch * net.inputCountPerImage)).map { _ in rng.nextGaussian() }
        let labels = (0..<batch).map { _ in Int32(rng.nextInt(below: 4)) }
        let trainer = Trainer(network: net, learningRate: 0.05, totalIterations: 30)
        let losses = (0..<30).map { _ in trainer.trainStep(images: images, labels: labels) }
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(losses.suffix(3).max()! < 0.5 * losses[0], "losses \(losses)")
        #expect(trainer.iteration == 30)
    }

    /// After exact recalibration on one batch, inference on that batch reproduces training-phase outputs.
    @Test func recalibrationReproducesBatchStatistics() {
        let shape = NetworkShape(channels: 4, cellsPerStage: 1, classes: 3, resolution: 8)
        let net = NB201Network(cell: Self.everyOp, shape: shape, rng: SeededRandom(seed: 21))
        var rng = SeededRandom(seed: 22)
        let images = (0..<(8 * net.inputCountPerImage)).map { _ in 2 * rng.nextGaussian() + 1 }
        let train = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: 8) }.array
        images.withUnsafeBufferPointer { net.recalibrateBatchNorm([($0.baseAddress!, 8)]) }
        net.phase = .inference
        let eval = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: 8) }.array
        #expect(relativeError(eval, train) < 1e-4)
    }

    /// Splitting the batch over 2 or 3 workers computes the same network and gradients as one worker, bit for bit
    /// (a run is reproducible from its seed on any thread count). OpenBLAS's own threading is not switched here:
    /// it is process-wide and other suites run concurrently.
    @Test func everyWorkerCountGivesTheSameBits() {
        let shape = NetworkShape(channels: 4, cellsPerStage: 1, classes: 3, resolution: 8)
        var rng = SeededRandom(seed: 32)
        let images = (0..<(5 * 3 * 64)).map { _ in rng.nextGaussian() }
        var logits: [[Float]] = [], grads: [[Float]] = []
        for mode in [Threading.batchSplit(workers: 1), .batchSplit(workers: 2), .batchSplit(workers: 3)] {
            EngineConfig.threading = mode
            let net = NB201Network(cell: Self.best, shape: shape, rng: SeededRandom(seed: 31))
            let z = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: 5) }
            logits.append(z.array)
            net.backward(logitsGrad: z.data)  // any fixed dL/dlogits will do
            grads.append(net.parameters.flatMap { $0.grad.array })
        }
        EngineConfig.threading = .batchSplit(workers: 2)
        #expect(logits[1] == logits[0] && logits[2] == logits[0])
        #expect(grads[1] == grads[0] && grads[2] == grads[0])
    }
}

#if canImport(Glibc)
import Glibc
private func _log(_ x: Double) -> Double { Glibc.log(x) }
private func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#endif
