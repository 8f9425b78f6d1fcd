import Support
import Foundation
import Testing
import TestSupport
import Engine
import SearchSpace
@testable import Networks

/// Forward outputs and gradients of a small NB201 network against PyTorch (float64 reference), from the
/// committed fixture data/fixtures/golden_nb201_small.bin (data/fixtures/generate/golden_nb201_fixture.py wrote it).
@Suite(.serialized) struct GoldenValueTests {
    @Test func matchesPyTorch() throws {
        EngineConfig.threading = .batchSplit(workers: 2)
        let fx = try TensorFixture(named: "golden_nb201_small.bin")
        let cell = try Cell(ops: (try fx.values("arch_ops")).map { Operation(rawValue: Int($0))! })
        let shape = NetworkShape(channels: 4, cellsPerStage: 1, classes: 10, resolution: 8)
        let net = NB201Network(cell: cell, shape: shape, rng: SeededRandom(seed: 0))
        #expect(Set(net.parameters.map(\.name)) == Set(fx.tensors.keys.filter { $0.hasPrefix("param:") }.map { String($0.dropFirst(6)) }))
        for p in net.parameters {
            let v = (try fx.values("param:" + p.name))
            try #require(v.count == p.count, "parameter \(p.name): \(v.count) fixture values for shape \(p.value.shape)")
            p.value.copy(from: Tensor(shape: p.value.shape, values: v))
        }
        let images = (try fx.values("input")), labels = (try fx.values("labels")).map { Int32($0) }
        let trainer = Trainer(network: net, learningRate: 0.1, totalIterations: 1_000_000)

        // Forward + backward in training mode, compared before the optimiser step.
        net.phase = .training
        for p in net.parameters { p.grad.zero() }
        let logits = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: labels.count) }
        #expect(relativeError(logits.array, (try fx.values("logits"))) < 1e-4)
        let dz = Tensor(shape: logits.shape)
        let ce = labels.withUnsafeBufferPointer {
            softmaxCrossEntropy(logits: logits.data, labels: $0.baseAddress!, batch: labels.count, classes: 10, logitsGrad: dz.data)
        }
        #expect(abs(ce.loss - (try fx.values("loss"))[0]) < 1e-4 * abs((try fx.values("loss"))[0]))
        net.backward(logitsGrad: dz.data)
        for p in net.parameters {
            let err = relativeError(p.grad.array, (try fx.values("grad:" + p.name)))
            #expect(err < 1e-4, "gradient of \(p.name): relative error \(err)")
        }
        let stats = net.batchNormStatistics
        let expectedVars = fx.tensors.keys.filter { $0.hasPrefix("running_var:") }
        try #require(stats.count == expectedVars.count)
        // Fixture BN order is PyTorch's module order, the network's order.
        let names = ["stem.1", "cells.0.ops.0.2", "cells.0.ops.2.2", "cells.0.ops.5.2", "cells.1.a.2", "cells.1.b.2",
                     "cells.2.ops.0.2", "cells.2.ops.2.2", "cells.2.ops.5.2", "cells.3.a.2", "cells.3.b.2",
                     "cells.4.ops.0.2", "cells.4.ops.2.2", "cells.4.ops.5.2", "tail.0"]
        for (s, name) in zip(stats, names) {
            #expect(relativeError(s.variance.array, (try fx.values("running_var:" + name))) < 1e-4, "running variance of \(name)")
        }

        // The optimiser step (PyTorch SGD, Nesterov, weight decay) through the trainer's own path: redo the
        // step from the same weights by reloading them, so the trainer computes the gradient itself.
        for p in net.parameters { p.value.copy(from: Tensor(shape: p.value.shape, values: (try fx.values("param:" + p.name)))) }
        for s in stats { s.mean.zero(); for c in 0..<s.channels { s.variance[c] = 1 } }
        _ = trainer.trainStep(images: images, labels: labels)
        let after = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: labels.count) }
        #expect(relativeError(after.array, (try fx.values("logits_after_step"))) < 1e-4)
        net.phase = .inference
        let evalLogits = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: labels.count) }
        #expect(relativeError(evalLogits.array, (try fx.values("eval_logits_after_step"))) < 1e-4)
    }
}
