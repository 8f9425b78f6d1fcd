import Support
import Foundation
import Testing
@testable import Engine

/// Every layer's backward against finite differences, for its inputs and its weights.
@Suite(.serialized) struct LayerGradientTests {
    init() { EngineConfig.threading = .batchSplit(workers: 2) }

    func checkConv(_ g: ConvGeometry, batch: Int) {
        var gc = GradientCheck()
        let x = gc.tensor([batch, g.inChannels, g.inHeight, g.inWidth])
        let w = gc.tensor([g.outChannels, g.inChannels, g.kernel, g.kernel], scale: 0.3)
        let out = Tensor(shape: [batch, g.outChannels, g.outHeight, g.outWidth])
        let probe = gc.tensor(out.shape)
        let ws = Workspace()
        func forward() -> Double {
            conv2dForward(output: out.data, input: x.data, weight: w.data, batch: batch, geometry: g, workspace: ws)
            return GradientCheck.loss(out, probe)
        }
        _ = forward()
        let dx = Tensor(shape: x.shape), dw = Tensor(shape: w.shape)
        conv2dBackward(inputGrad: dx.data, weightGrad: dw.data, outputGrad: probe.data, input: x.data, weight: w.data,
                       batch: batch, geometry: g, workspace: ws)
        #expect(gc.worstRatio(of: x, analytic: dx.array, forward: forward) <= 1, "conv input gradient \(g)")
        #expect(gc.worstRatio(of: w, analytic: dw.array, forward: forward) <= 1, "conv weight gradient \(g)")
    }

    @Test func conv3x3Padded() {
        checkConv(ConvGeometry(inChannels: 3, outChannels: 4, kernel: 3, padding: 1, inHeight: 5, inWidth: 6), batch: 3)
    }

    /// Runs on the direct kernels where the CPU has them: 5 output channels (a tile remainder), and 8x4 planes
    /// whose weight gradient is summed over groups of images.
    @Test func conv3x3Direct() {
        checkConv(ConvGeometry(inChannels: 3, outChannels: 5, kernel: 3, padding: 1, inHeight: 4, inWidth: 8), batch: 9)
    }

    @Test func conv3x3Stride2() {
        checkConv(ConvGeometry(inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1, inHeight: 6, inWidth: 7), batch: 2)
    }

    @Test func conv1x1() {
        checkConv(ConvGeometry(inChannels: 4, outChannels: 3, kernel: 1, padding: 0, inHeight: 4, inWidth: 4), batch: 3)
    }

    @Test func conv5x5SamePadding() {
        checkConv(ConvGeometry(inChannels: 2, outChannels: 3, kernel: 5, padding: 2, inHeight: 6, inWidth: 7), batch: 2)
    }

    @Test func conv5x5Unpadded() {
        checkConv(ConvGeometry(inChannels: 2, outChannels: 2, kernel: 5, padding: 0, inHeight: 7, inWidth: 6), batch: 2)
    }

    /// Planes large enough that im2col runs in several row tiles (ConvGeometry.tileRows < outHeight).
    @Test func convTiledPlanes() {
        let stride1 = ConvGeometry(inChannels: 8, outChannels: 4, kernel: 3, padding: 1, inHeight: 40, inWidth: 64)
        let stride2 = ConvGeometry(inChannels: 8, outChannels: 4, kernel: 3, stride: 2, padding: 1, inHeight: 64, inWidth: 64)
        #expect(stride1.tileRows < stride1.outHeight && stride2.tileRows < stride2.outHeight)
        #expect(stride1.transposed.tileRows < stride1.transposed.outHeight)
        checkConv(stride1, batch: 1)
        checkConv(stride2, batch: 1)
    }

    @Test(arguments: [true, false]) func batchNormTraining(affine: Bool) {
        var gc = GradientCheck()
        let g = BatchNormGeometry(batch: 3, channels: 2, spatial: 5)
        let x = gc.tensor([3, 2, 5]), gamma = gc.tensor([2]), beta = gc.tensor([2])
        let out = Tensor(shape: x.shape), mean = Tensor(shape: [2]), variance = Tensor(shape: [2])
        let probe = gc.tensor(out.shape)
        func forward() -> Double {
            batchNormTrainingForward(output: out.data, input: x.data, gamma: affine ? gamma.data : nil, beta: affine ? beta.data : nil,
                                     mean: mean.data, variance: variance.data, geometry: g)
            return GradientCheck.loss(out, probe)
        }
        _ = forward()
        let dx = Tensor(shape: x.shape), dGamma = Tensor(shape: [2]), dBeta = Tensor(shape: [2])
        batchNormBackward(inputGrad: dx.data, gammaGrad: affine ? dGamma.data : nil, betaGrad: affine ? dBeta.data : nil,
                          outputGrad: probe.data, input: x.data, gamma: affine ? gamma.data : nil,
                          mean: mean.data, variance: variance.data, geometry: g)
        #expect(gc.worstRatio(of: x, analytic: dx.array, step: 1e-3, forward: forward) <= 1)
        // Writing instead of adding gives the same gradient into a buffer holding garbage.
        _ = forward()  // the check left the statistics of a perturbed input behind
        let written = gc.tensor(x.shape)
        batchNormBackward(inputGrad: written.data, gammaGrad: nil, betaGrad: nil, outputGrad: probe.data, input: x.data,
                          gamma: affine ? gamma.data : nil, mean: mean.data, variance: variance.data, geometry: g, accumulate: false)
        #expect(written.array == dx.array)
        if affine {
            #expect(gc.worstRatio(of: gamma, analytic: dGamma.array, step: 1e-3, forward: forward) <= 1)
            #expect(gc.worstRatio(of: beta, analytic: dBeta.array, step: 1e-3, forward: forward) <= 1)
        }
    }

    @Test func relu() {
        var gc = GradientCheck()
        let x = gc.tensor([40]), out = Tensor(shape: [40]), probe = gc.tensor([40])
        func forward() -> Double { reluForward(output: out.data, input: x.data, count: 40); return GradientCheck.loss(out, probe) }
        _ = forward()
        let dx = Tensor(shape: [40])
        reluBackward(inputGrad: dx.data, outputGrad: probe.data, output: out.data, count: 40)
        #expect(gc.worstRatio(of: x, analytic: dx.array, step: 1e-3, forward: forward) <= 1)
        #expect(dx.array.contains(0) && dx.array.contains { $0 != 0 }, "the probe must see both sides of the kink")
    }

    @Test func avgPool3x3ExcludesPadding() {
        var gc = GradientCheck()
        let x = gc.tensor([2, 2, 4, 5]), out = Tensor(shape: x.shape), probe = gc.tensor(x.shape)
        func forward() -> Double {
            avgPool3x3Forward(output: out.data, input: x.data, planes: 4, height: 4, width: 5)
            return GradientCheck.loss(out, probe)
        }
        _ = forward()
        // Corner: mean of its 2x2 neighbourhood, not sum / 9.
        let corner = (x[0] + x[1] + x[5] + x[6]) / 4
        #expect(abs(out[0] - corner) < 1e-6)
        let dx = Tensor(shape: x.shape)
        avgPool3x3Backward(inputGrad: dx.data, outputGrad: probe.data, planes: 4, height: 4, width: 5)
        #expect(gc.worstRatio(of: x, analytic: dx.array, forward: forward) <= 1)
    }

    /// The separable box sums agree with the window-by-window definition on every plane shape, borders included
    /// (1-wide planes have windows of one row or column).
    @Test(arguments: [(1, 1), (1, 5), (2, 2), (3, 1), (4, 7), (8, 8), (16, 3)])
    func avgPool3x3MatchesWindowDefinition(h: Int, w: Int) {
        var rng = SeededRandom(seed: UInt64(h * 100 + w))
        let planes = 3, n = planes * h * w
        let x = (0..<n).map { _ in rng.nextGaussian() }, dy = (0..<n).map { _ in rng.nextGaussian() }
        var expected = [Float](repeating: 0, count: n), expectedGrad = [Float](repeating: 0.5, count: n)
        for p in 0..<planes {
            for i in 0..<h {
                for j in 0..<w {
                    let rows = max(i - 1, 0)...min(i + 1, h - 1), cols = max(j - 1, 0)...min(j + 1, w - 1)
                    let count = Float(rows.count * cols.count)
                    var s: Float = 0
                    for a in rows { for b in cols { s += x[(p * h + a) * w + b] } }
                    expected[(p * h + i) * w + j] = s / count
                    for a in rows { for b in cols { expectedGrad[(p * h + a) * w + b] += dy[(p * h + i) * w + j] / count } }
                }
            }
        }
        var y = [Float](repeating: .nan, count: n), dx = [Float](repeating: 0.5, count: n)
        avgPool3x3Forward(output: &y, input: x, planes: planes, height: h, width: w)
        avgPool3x3Backward(inputGrad: &dx, outputGrad: dy, planes: planes, height: h, width: w)
        #expect(zip(y, expected).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }, "forward \(h)x\(w)")
        #expect(zip(dx, expectedGrad).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }, "backward \(h)x\(w) (accumulates)")
    }

    @Test func avgPool2x2() {
        var gc = GradientCheck()
        let x = gc.tensor([2, 3, 4, 6]), out = Tensor(shape: [2, 3, 2, 3]), probe = gc.tensor(out.shape)
        func forward() -> Double {
            avgPool2x2Forward(output: out.data, input: x.data, planes: 6, height: 4, width: 6)
            return GradientCheck.loss(out, probe)
        }
        _ = forward()
        let dx = Tensor(shape: x.shape)
        avgPool2x2Backward(inputGrad: dx.data, outputGrad: probe.data, planes: 6, height: 4, width: 6)
        #expect(gc.worstRatio(of: x, analytic: dx.array, forward: forward) <= 1)
    }

    @Test func globalAvgPool() {
        var gc = GradientCheck()
        let x = gc.tensor([2, 3, 3, 3]), out = Tensor(shape: [2, 3]), probe = gc.tensor(out.shape)
        func forward() -> Double {
            globalAvgPoolForward(output: out.data, input: x.data, planes: 6, spatial: 9)
            return GradientCheck.loss(out, probe)
        }
        _ = forward()
        let dx = Tensor(shape: x.shape)
        globalAvgPoolBackward(inputGrad: dx.data, outputGrad: probe.data, planes: 6, spatial: 9)
        #expect(gc.worstRatio(of: x, analytic: dx.array, forward: forward) <= 1)
    }

    @Test func linear() {
        var gc = GradientCheck()
        let x = gc.tensor([3, 5]), w = gc.tensor([4, 5]), b = gc.tensor([4])
        let out = Tensor(shape: [3, 4]), probe = gc.tensor(out.shape)
        func forward() -> Double {
            linearForward(output: out.data, input: x.data, weight: w.data, bias: b.data, batch: 3, inFeatures: 5, outFeatures: 4)
            return GradientCheck.loss(out, probe)
        }
        _ = forward()
        let dx = Tensor(shape: x.shape), dw = Tensor(shape: w.shape), db = Tensor(shape: b.shape)
        linearBackward(inputGrad: dx.data, weightGrad: dw.data, biasGrad: db.data, outputGrad: probe.data,
                       input: x.data, weight: w.data, batch: 3, inFeatures: 5, outFeatures: 4)
        #expect(gc.worstRatio(of: x, analytic: dx.array, forward: forward) <= 1)
        #expect(gc.worstRatio(of: w, analytic: dw.array, forward: forward) <= 1)
        #expect(gc.worstRatio(of: b, analytic: db.array, forward: forward) <= 1)
    }

    @Test func addAndAccumulate() {
        var gc = GradientCheck()
        let a = gc.tensor([10]), b = gc.tensor([10]), out = Tensor(shape: [10]), probe = gc.tensor([10])
        func forward() -> Double { addForward(output: out.data, a.data, b.data, count: 10); return GradientCheck.loss(out, probe) }
        _ = forward()
        // Each addend's gradient is the output's gradient, added by `accumulate`.
        let da = Tensor(shape: [10]), db = Tensor(shape: [10])
        accumulate(into: da.data, probe.data, count: 10)
        accumulate(into: db.data, probe.data, count: 10)
        #expect(gc.worstRatio(of: a, analytic: da.array, forward: forward) <= 1)
        #expect(gc.worstRatio(of: b, analytic: db.array, forward: forward) <= 1)
        zeroForward(output: out.data, count: 10)
        #expect(out.array.allSatisfy { $0 == 0 })
    }

    @Test func softmaxCrossEntropyGradient() {
        var gc = GradientCheck()
        let logits = gc.tensor([4, 5], scale: 2)
        let labels: [Int32] = [0, 4, 2, 2]
        let dz = Tensor(shape: logits.shape)
        let result = labels.withUnsafeBufferPointer {
            softmaxCrossEntropy(logits: logits.data, labels: $0.baseAddress!, batch: 4, classes: 5, logitsGrad: dz.data)
        }
        // Reference loss in Double.
        var expected = 0.0
        for n in 0..<4 {
            let row = (0..<5).map { Double(logits[n * 5 + $0]) }
            expected += log(row.map { exp($0) }.reduce(0, +)) - row[Int(labels[n])]
        }
        #expect(abs(Double(result.loss) - expected / 4) < 1e-5)
        let forward: () -> Double = {
            labels.withUnsafeBufferPointer {
                Double(softmaxCrossEntropy(logits: logits.data, labels: $0.baseAddress!, batch: 4, classes: 5, logitsGrad: nil).loss)
            }
        }
        #expect(gc.worstRatio(of: logits, analytic: dz.array, step: 1e-2, atol: 1e-3, forward: forward) <= 1)
    }
}
