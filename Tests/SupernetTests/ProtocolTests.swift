import Support
import Datasets
import Engine
import Foundation
import Networks
import SearchSpace
import Testing
@testable import Supernet

/// Tests that could catch a wrong supernet: a path is the stand-alone network, a step touches only its path,
/// the protocol options (path sampling, gradient clipping, batch-statistics evaluation) do what they say.
@Suite struct ProtocolTests {
    static let shape = NetworkShape(channels: 4, cellsPerStage: 2, classes: 5, resolution: 8)

    /// The stand-alone name of a supernet tensor: `cells.b.edges.e.<op>.weight` is `cells.b.ops.e.1.weight` there;
    /// the stem, reduction blocks and classifier have the same names in both.
    static func standaloneName(_ name: String) -> String {
        let parts = name.split(separator: ".")
        guard parts.count == 6, parts[2] == "edges" else { return name }
        return "\(parts[0]).\(parts[1]).ops.\(parts[3]).1.weight"
    }

    /// A path's logits and gradients do not depend on the path trained before it: an edge's 1x1 and 3x3 units share
    /// one saved conv output, which must be rewritten by every forward before its backward reads it.
    @Test func pathResultsDoNotDependOnThePreviousPath() throws {
        let (images, labels) = Tiny.batch(6, seed: 34, shape: Self.shape)
        func logitsAndGradients(_ supernet: KShotSupernet, _ cell: Cell) -> (logits: [Float], gradients: [[Float]]) {
            supernet.setPath(cell, lambda: [1])
            supernet.phase = .training
            let z = images.withUnsafeBufferPointer { supernet.forward(images: $0.baseAddress!, batch: 6) }
            let dz = Tensor(shape: [6, Self.shape.classes])
            _ = labels.withUnsafeBufferPointer {
                softmaxCrossEntropy(logits: z.array, labels: $0.baseAddress!, batch: 6, classes: Self.shape.classes, logitsGrad: dz.data)
            }
            supernet.dictionary.working.forEach { $0.grad.zero() }
            supernet.backward(logitsGrad: dz.data)
            return (z.array, supernet.dictionary.working.map(\.grad.array))
        }
        // Every edge switches between the two conv ops.
        let conv1x1 = try Cell(opCodes: "222222"), conv3x3 = try Cell(opCodes: "333333")
        let fresh = logitsAndGradients(KShotSupernet(shape: Self.shape, k: 1, rng: SeededRandom(seed: 35)), conv3x3)
        let reused = KShotSupernet(shape: Self.shape, k: 1, rng: SeededRandom(seed: 35))
        _ = logitsAndGradients(reused, conv1x1)
        let after = logitsAndGradients(reused, conv3x3)
        #expect(after.logits == fresh.logits)
        #expect(after.gradients == fresh.gradients)
    }

    /// A dead edge (`Cell.liveOps`) changes nothing a supernet cell computes: run with all its edges and with its live
    /// ones only, a cell gives the same output, input gradient and weight gradients, bit for bit, and after the
    /// evaluator's BN recalibration the same inference output. Every 10th cell that has a dead edge.
    /// (Inference on statistics not recalibrated for the path would differ: a conv edge out of a zero node then
    /// outputs -mean / std of whatever inputs its BN saw before, not the zeros the cell's function has.)
    @Test func deadEdgesChangeNothing() throws {
        let supernet = KShotSupernet(shape: Tiny.shape, k: 1, rng: SeededRandom(seed: 36))
        let block = supernet.blocks.compactMap { block -> CellBlock? in if case .cell(let c) = block { return c }; return nil }[0]
        let units = block.convUnits.flatMap { $0.values }
        let shape = [6, block.channels, 8, 8], count = shape.reduce(1, *)
        var rng = SeededRandom(seed: 37)
        let x = Tensor(shape: shape, values: (0..<count).map { _ in rng.nextGaussian() })
        let dy = Tensor(shape: shape, values: (0..<count).map { _ in rng.nextGaussian() })
        let dx = Tensor(shape: shape), workspace = Workspace()
        func bits(_ t: Tensor) -> [UInt32] { t.array.map(\.bitPattern) }
        func run(_ ops: [SearchSpace.Operation]) -> [[UInt32]] {
            units.forEach { $0.weight.grad.zero() }
            let statistics = units.map { $0.norm!.statistics }
            statistics.forEach { $0.beginCalibration() }
            let y = bits(block.forward(x, ops: ops, phase: .training, workspace: workspace))
            statistics.forEach { $0.finishCalibration() }
            block.backward(dy.data, inputGrad: dx.data, workspace: workspace)
            let inference = bits(block.forward(x, ops: ops, phase: .inference, workspace: workspace))
            return [y, bits(dx), inference] + units.map { bits($0.weight.grad) }
        }
        let cells = Cell.all.filter { $0.liveOps != $0.ops }.enumerated().filter { $0.offset % 10 == 0 }.map(\.element)
        #expect(cells.count == 618)
        for cell in cells {
            #expect(run(cell.ops) == run(cell.liveOps), "\(cell.opCodes)")
        }
    }

    /// With the supernet's weights copied in, the stand-alone network of a path computes the same logits and the
    /// same gradient for every tensor the path uses (its cell BatchNorms are affine, at their initial 1 and 0).
    @Test(arguments: ["321430", "333333", "212121", "104230"])
    func pathEqualsStandaloneNetwork(codes: String) throws {
        let cell = try Cell(opCodes: codes)
        let supernet = KShotSupernet(shape: Self.shape, k: 1, rng: SeededRandom(seed: 31))
        let standalone = NB201Network(cell: cell, shape: Self.shape, rng: SeededRandom(seed: 32))
        let used = supernet.usedTensors(cell)
        let byName = Dictionary(uniqueKeysWithValues: used.map { i in
            (Self.standaloneName(supernet.dictionary.working[i].name), supernet.dictionary.working[i])
        })
        var copied = 0
        for p in standalone.parameters {
            if let source = byName[p.name] {
                p.value.copy(from: source.value)
                copied += 1
            } else {
                // Only the cells' affine BN parameters are the stand-alone network's own.
                #expect(p.name.contains(".ops.") && p.name.contains(".2."), "\(p.name) has no supernet counterpart")
            }
        }
        #expect(copied == used.count, "the path uses \(used.count) tensors, the stand-alone network has \(copied)")

        let (images, labels) = Tiny.batch(6, seed: 33, shape: Self.shape)
        supernet.setPath(cell, lambda: [1])
        supernet.phase = .training
        standalone.phase = .training
        let zs = images.withUnsafeBufferPointer { supernet.forward(images: $0.baseAddress!, batch: 6) }.array
        let za = images.withUnsafeBufferPointer { standalone.forward(images: $0.baseAddress!, batch: 6) }.array
        #expect(zs == za, "logits differ")

        let dz = Tensor(shape: [6, Self.shape.classes])
        _ = labels.withUnsafeBufferPointer {
            softmaxCrossEntropy(logits: za, labels: $0.baseAddress!, batch: 6, classes: Self.shape.classes, logitsGrad: dz.data)
        }
        supernet.dictionary.working.forEach { $0.grad.zero() }
        standalone.parameters.forEach { $0.grad.zero() }
        supernet.backward(logitsGrad: dz.data)
        standalone.backward(logitsGrad: dz.data)
        let standaloneByName = Dictionary(uniqueKeysWithValues: standalone.parameters.map { ($0.name, $0) })
        for i in used {
            let w = supernet.dictionary.working[i]
            let g = standaloneByName[Self.standaloneName(w.name)]!.grad.array
            let scale = max(g.map(abs).max()!, 1e-12)
            let worst = zip(w.grad.array, g).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-5 * scale, "gradient of \(w.name) differs by \(worst) (scale \(scale))")
        }
        // Off-path tensors get no gradient.
        for i in Set(supernet.dictionary.working.indices).subtracting(used) {
            #expect(supernet.dictionary.working[i].grad.array.allSatisfy { $0 == 0 })
        }
    }

    static let training = Subset(Tiny.imageSet(count: 96, classes: 5, resolution: 8, seed: 41))

    static func trainer(_ configure: (inout SupernetConfig) -> Void = { _ in }) throws -> SupernetTrainer {
        var config = SupernetConfig(shape: Tiny.shape, k: 1, epochs: 2, warmupEpochs: 0, batchSize: 32, learningRate: 0.1,
                                    weightDecay: 5e-3, seed: 42)
        configure(&config)
        return try SupernetTrainer(config: config, training: training, dataset: .cifar10)
    }

    /// A step moves only the tensors of its path: ops off the path keep their weights and momentum, even with
    /// weight decay and momentum left over from an earlier step that used them.
    @Test func offPathOpsGetNoUpdateOrDecay() throws {
        let t = try Self.trainer()
        let batch = t.plan.batch(BatchPosition(epoch: 0, batch: 0))
        let convs3x3 = try Cell(opCodes: "333333"), convs1x1 = try Cell(opCodes: "222222")
        _ = t.supernetStep(batch, path: convs3x3, iteration: 0)
        let working = t.supernet.dictionary.working
        let before = working.map(\.value.array)
        let momentum = t.optimizers.map { $0.momentumBuffers[0].array }
        #expect(momentum.contains { $0.contains { $0 != 0 } })
        _ = t.supernetStep(batch, path: convs1x1, iteration: 1)
        let used = Set(t.supernet.usedTensors(convs1x1))
        for i in working.indices {
            let moved = working[i].value.array != before[i]
            #expect(moved == used.contains(i), "\(working[i].name): moved \(moved), on the path \(used.contains(i))")
            if !used.contains(i) { #expect(t.optimizers[i].momentumBuffers[0].array == momentum[i]) }
        }
    }

    /// Non-isomorphic sampling: every class of connected cells equally often (a chi-square test on 200,000 draws
    /// with a fixed seed), never a disconnected cell; uniform sampling over cells fails the same test.
    @Test func nonIsomorphicSamplingIsUniformOverClasses() throws {
        let classes = Cell.connectedClassRepresentatives
        #expect(classes.allSatisfy { !$0.isDisconnected })
        #expect(Set(classes.map(\.canonicalForm)).count == classes.count)
        let draws = 200_000
        // The class of every cell, by ordinal (nil: disconnected).
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1.canonicalForm, $0) })
        let classOf = Cell.all.map { $0.isDisconnected ? nil : classIndex[$0.canonicalForm] }
        #expect(classOf.allSatisfy { $0 != nil } == false && classOf.compactMap { $0 }.count == Cell.spaceSize - 341)
        func chiSquare(_ t: SupernetTrainer) -> (statistic: Double, outside: Int) {
            var counts = [Int](repeating: 0, count: classes.count)
            var outside = 0
            for i in 0..<draws {
                guard let c = classOf[t.samplePath(i).ordinal] else { outside += 1; continue }
                counts[c] += 1
            }
            let expected = Double(draws - outside) / Double(classes.count)
            let statistic = counts.reduce(0.0) { sum, n in sum + (Double(n) - expected) * (Double(n) - expected) / expected }
            return (statistic, outside)
        }
        let df = Double(classes.count - 1)
        // Chi-square with df degrees of freedom: mean df, sd sqrt(2 df); 5 sd is p < 1e-6.
        let bound = df + 5 * (2 * df).squareRoot()
        let nonIsomorphic = chiSquare(try Self.trainer { $0.pathSampling = .nonIsomorphic })
        #expect(nonIsomorphic.outside == 0)
        #expect(nonIsomorphic.statistic < bound, "chi-square \(nonIsomorphic.statistic), bound \(bound)")
        let uniform = chiSquare(try Self.trainer())
        #expect(uniform.outside > 0 && uniform.statistic > bound, "uniform sampling: chi-square \(uniform.statistic)")
    }

    /// Clipping scales the step's gradient to the limit when it is larger and leaves it alone otherwise.
    @Test func gradientClipping() throws {
        let batch = Self.training.sample(32, seed: 1)
        let plan = BatchPlan.evaluation(batch, dataset: .cifar10, batchSize: 32)
        var first: Batch?
        plan.forEachBatch(epoch: 0) { first = first ?? $0 }
        func weightsAfterStep(clip: Float?) throws -> ([[Float]], Double) {
            let t = try Self.trainer { $0.gradientClip = clip }
            _ = t.supernetStep(first!, path: Tiny.path, iteration: 0)
            let used = t.supernet.usedTensors(Tiny.path)
            let norm = used.flatMap { t.supernet.dictionary.working[$0].grad.array }.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            return (t.supernet.dictionary.working.map(\.value.array), norm)
        }
        let (free, freeNorm) = try weightsAfterStep(clip: nil)
        #expect(freeNorm > 0.01)
        let (loose, looseNorm) = try weightsAfterStep(clip: Float(freeNorm) * 2)
        #expect(loose == free && looseNorm == freeNorm)
        let (clipped, clippedNorm) = try weightsAfterStep(clip: 0.01)
        #expect(abs(clippedNorm - 0.01) < 1e-5 && clipped != free)
        #expect(throws: SupernetError.self) { try Self.trainer { $0.gradientClip = 0 } }
    }

    /// A learning-rate floor equal to the base rate keeps the rate constant; the default anneals to 0; a floor above
    /// the base rate is refused.
    @Test func learningRateFloor() throws {
        let constant = try Self.trainer { $0.minimumLearningRate = 0.1 }, annealed = try Self.trainer()
        let steps = constant.plan.batchesPerEpoch * constant.config.epochs
        #expect((0...steps).allSatisfy { constant.schedule.learningRate(at: $0) == 0.1 })
        #expect(annealed.schedule.learningRate(at: 0) == 0.1 && annealed.schedule.learningRate(at: steps) == 0)
        #expect(constant.trainEpoch().learningRate == 0.1 && constant.trainEpoch().learningRate == 0.1)
        #expect(throws: SupernetError.self) { try Self.trainer { $0.minimumLearningRate = 0.2 } }
    }

    /// Batch-statistics evaluation normalises the validation batch by its own statistics: the same figures as
    /// recalibrating on exactly that batch, and independent of the stored running statistics.
    @Test func batchStatisticsEvaluation() throws {
        let t = try Self.trainer()
        try t.train()
        let validation = Subset(Tiny.imageSet(count: 40, classes: 5, resolution: 8, seed: 43))
        let byBatch = PathEvaluator(trainer: t, calibration: Self.training, validation: validation, dataset: .cifar10,
                                    validationImages: 40, validationBatchSize: 40, batchStatistics: true, seed: 5)
        // Calibration on the validation images themselves, in one batch.
        let recalibrated = PathEvaluator(trainer: t, calibration: validation, validation: validation, dataset: .cifar10,
                                         calibrationBatches: 1, calibrationBatchSize: 40, validationImages: 40,
                                         validationBatchSize: 40, seed: 5)
        for cell in [Tiny.path, try Cell(opCodes: "333333"), try Cell(opCodes: "241302")] {
            let a = byBatch.evaluate(cell), b = recalibrated.evaluate(cell)
            #expect(a.accuracy == b.accuracy && abs(a.loss - b.loss) < 1e-4, "\(cell.opCodes): \(a) vs \(b)")
            t.supernet.batchNormStatistics.forEach { $0.mean.zero() }
            #expect(byBatch.evaluate(cell) == a)
        }
    }
}
