import Support
import Foundation
import Testing
@testable import Engine

@Suite struct OptimizerTests {
    /// Two steps of SGD against the update rule written out by hand (PyTorch's torch.optim.SGD).
    @Test(arguments: [true, false]) func sgdMatchesPyTorchRule(nesterov: Bool) {
        let p = Parameter(name: "w", shape: [3])
        p.value.copy(from: Tensor(shape: [3], values: [1, -2, 0.5]))
        let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: nesterov)
        var w: [Double] = [1, -2, 0.5], buf: [Double] = [0, 0, 0]
        let grads: [[Float]] = [[0.3, -0.1, 2], [-0.5, 0.2, 1]]
        for g in grads {
            p.grad.copy(from: Tensor(shape: [3], values: g))
            sgd.step()
            for i in 0..<3 {
                let d = Double(g[i]) + 0.01 * w[i]
                buf[i] = 0.9 * buf[i] + d
                w[i] -= 0.1 * (nesterov ? d + 0.9 * buf[i] : buf[i])
            }
        }
        for i in 0..<3 {
            #expect(abs(Double(p.value[i]) - w[i]) < 1e-6)
            #expect(abs(Double(sgd.momentumBuffers[0][i]) - buf[i]) < 1e-6)
        }
        sgd.zeroGradients()
        #expect(p.grad.array == [0, 0, 0])
    }

    @Test func cosineScheduleEndpointsAndMidpoint() {
        let s = CosineSchedule(base: 0.1, total: 100)
        #expect(s.learningRate(at: 0) == 0.1)
        #expect(abs(s.learningRate(at: 50) - 0.05) < 1e-7)
        #expect(abs(s.learningRate(at: 100)) < 1e-9)
        #expect(abs(s.learningRate(at: 25) - Float(0.05 * (1 + cos(Double.pi / 4)))) < 1e-7)
        let floor = CosineSchedule(base: 1, minimum: 0.2, total: 4)
        #expect(abs(floor.learningRate(at: 4) - 0.2) < 1e-7)
    }

    @Test func initialisationBoundsAndSpread() {
        var rng = SeededRandom(seed: 5)
        let n = 20_000
        let w = Tensor(shape: [n])
        WeightInit.pytorchDefault.fill(w.data, count: n, fanIn: 36, fanOut: 64, using: &rng)
        let bound = 1 / Float(6)
        #expect(w.array.allSatisfy { abs($0) <= bound })
        #expect(w.array.max()! > 0.95 * bound)
        WeightInit.kaimingNormalFanOut.fill(w.data, count: n, fanIn: 36, fanOut: 72, using: &rng)
        let variance = w.array.reduce(0) { $0 + Double($1 * $1) } / Double(n)
        #expect(abs(variance - 2.0 / 72) < 0.002)
    }
}

@Suite struct BatchNormStatisticsTests {
    /// Momentum update with PyTorch's unbiased running variance.
    @Test func momentumUpdate() {
        let s = BatchNormStatistics(channels: 1, momentum: 0.1)
        var m: Float = 2, v: Float = 3
        s.update(batchMean: &m, batchVariance: &v, elementsPerChannel: 4)
        #expect(abs(s.mean[0] - 0.2) < 1e-7)
        #expect(abs(s.variance[0] - (0.9 + 0.1 * 3 * 4 / 3)) < 1e-6)
    }

    /// Folding inference BN into a 1x1 conv (scaled weights, then a per-channel shift) equals conv then BN.
    @Test func foldedBatchNormEqualsConvThenBatchNorm() {
        var rng = SeededRandom(seed: 9)
        func random(_ n: Int, _ offset: Float = 0) -> Tensor { Tensor(shape: [n], values: (0..<n).map { _ in rng.nextGaussian() + offset }) }
        let g = ConvGeometry(inChannels: 3, outChannels: 2, kernel: 1, padding: 0, inHeight: 2, inWidth: 3)
        let x = random(2 * 3 * 6), w = random(6), gamma = random(2), beta = random(2), mean = random(2)
        let variance = Tensor(shape: [2], values: [0.5, 2])
        let ws = Workspace()
        let conv = Tensor(shape: [2 * 2 * 6]), reference = Tensor(shape: [2 * 2 * 6])
        conv2dForward(output: conv.data, input: x.data, weight: w.data, batch: 2, geometry: g, workspace: ws)
        batchNormInferenceForward(output: reference.data, input: conv.data, gamma: gamma.data, beta: beta.data, mean: mean.data,
                                  variance: variance.data, geometry: BatchNormGeometry(batch: 2, channels: 2, spatial: 6))
        let scale = Tensor(shape: [2]), shift = Tensor(shape: [2]), folded = Tensor(shape: [6]), out = Tensor(shape: [24])
        batchNormAffine(gamma: gamma.data, beta: beta.data, mean: mean.data, variance: variance.data, channels: 2, scale: scale.data, shift: shift.data)
        scaleOutputChannels(folded.data, weight: w.data, scale: scale.data, outChannels: 2, perChannel: 3)
        channelConstant(out.data, shift.data, batch: 2, channels: 2, spatial: 6, accumulate: false)
        conv2dForward(output: out.data, input: x.data, weight: folded.data, batch: 2, geometry: g, workspace: ws, accumulate: true)
        for i in 0..<24 { #expect(abs(out[i] - reference[i]) < 1e-5) }
    }

    /// Recalibration over batches of different sizes gives the statistics of all elements at once.
    @Test func exactRecalibration() {
        var rng = SeededRandom(seed: 8)
        let channels = 2, spatial = 3
        let batches = [4, 1, 3].map { n in Tensor(shape: [n, channels, spatial], values: (0..<(n * channels * spatial)).map { _ in 5 + 2 * rng.nextGaussian() }) }
        let s = BatchNormStatistics(channels: channels)
        s.beginCalibration()
        let mean = Tensor(shape: [channels]), variance = Tensor(shape: [channels])
        for x in batches {
            let g = BatchNormGeometry(batch: x.shape[0], channels: channels, spatial: spatial)
            let out = Tensor(shape: x.shape)
            batchNormTrainingForward(output: out.data, input: x.data, gamma: nil, beta: nil, mean: mean.data, variance: variance.data, geometry: g)
            s.update(batchMean: mean.data, batchVariance: variance.data, elementsPerChannel: g.perChannel)
        }
        s.finishCalibration()
        for c in 0..<channels {
            var values: [Double] = []
            for x in batches {
                for n in 0..<x.shape[0] { for i in 0..<spatial { values.append(Double(x[(n * channels + c) * spatial + i])) } }
            }
            let mu = values.reduce(0, +) / Double(values.count)
            let population = values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(values.count)
            #expect(abs(Double(s.mean[c]) - mu) < 1e-5)
            #expect(abs(Double(s.variance[c]) - population) < 1e-4)
        }
    }
}
