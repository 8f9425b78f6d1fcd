import Support
import Testing
@testable import Engine

/// Backward functions called with `accumulate: false` write their gradient without reading it: over a buffer of NaNs
/// they give exactly what adding onto zeros gives (the networks rely on this to skip zeroing gradient buffers).
@Suite(.serialized) struct WritingBackwardTests {
    init() { EngineConfig.threading = .batchSplit(workers: 2) }

    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in rng.nextGaussian() }
    }

    /// The gradient `backward` leaves in a zeroed buffer when adding, and in a NaN-filled one when writing.
    static func addedAndWritten(count: Int, _ backward: (UnsafeMutablePointer<Float>, Bool) -> Void) -> (added: [Float], written: [Float]) {
        var added = [Float](repeating: 0, count: count), written = [Float](repeating: .nan, count: count)
        added.withUnsafeMutableBufferPointer { backward($0.baseAddress!, true) }
        written.withUnsafeMutableBufferPointer { backward($0.baseAddress!, false) }
        return (added, written)
    }

    @Test func elementwiseAndPooling() {
        // 5 x 7 planes: odd sides leave a row and a column outside every 2x2 window.
        let planes = 6, h = 5, w = 7, count = planes * h * w
        let dy = Self.random(count, seed: 1), out = Self.random(count, seed: 2), pooledGrad = Self.random(planes * (h / 2) * (w / 2), seed: 3)
        let relu = Self.addedAndWritten(count: count) { reluBackward(inputGrad: $0, outputGrad: dy, output: out, count: count, accumulate: $1) }
        #expect(relu.added == relu.written && relu.added.contains(0) && relu.added.contains { $0 != 0 })
        let pool3 = Self.addedAndWritten(count: count) {
            avgPool3x3Backward(inputGrad: $0, outputGrad: dy, planes: planes, height: h, width: w, accumulate: $1)
        }
        #expect(pool3.added == pool3.written)
        let pool2 = Self.addedAndWritten(count: count) {
            avgPool2x2Backward(inputGrad: $0, outputGrad: pooledGrad, planes: planes, height: h, width: w, accumulate: $1)
        }
        #expect(pool2.added == pool2.written && pool2.written[h * w - 1] == 0)
        let global = Self.addedAndWritten(count: count) {
            globalAvgPoolBackward(inputGrad: $0, outputGrad: dy, planes: planes, spatial: h * w, accumulate: $1)
        }
        #expect(global.added == global.written)
    }

    /// Pointwise (GEMM), 3x3 stride 1 (the transposed convolution, direct kernels where the CPU has them, and
    /// im2col), 3x3 stride 2 (GEMM + col2im).
    @Test(arguments: [ConvolutionKernels.im2col, .avx2, .avx512])
    func convolutionInputGradient(limit: ConvolutionKernels) {
        let geometries = [ConvGeometry(inChannels: 4, outChannels: 6, kernel: 1, padding: 0, inHeight: 6, inWidth: 8),
                          ConvGeometry(inChannels: 3, outChannels: 5, kernel: 3, padding: 1, inHeight: 8, inWidth: 8),
                          ConvGeometry(inChannels: 3, outChannels: 4, kernel: 3, stride: 2, padding: 1, inHeight: 7, inWidth: 6)]
        EngineConfig.$convolutionKernelLimit.withValue(limit) {
            for g in geometries {
                let batch = 3, ws = Workspace()
                let x = Self.random(batch * g.inputCount, seed: 4), weight = Self.random(g.weightCount, seed: 5)
                let dy = Self.random(batch * g.outputCount, seed: 6)
                var weightGrad = [Float](repeating: 0, count: g.weightCount)
                let result = Self.addedAndWritten(count: batch * g.inputCount) { dx, accumulate in
                    conv2dBackward(inputGrad: dx, weightGrad: &weightGrad, outputGrad: dy, input: x, weight: weight, batch: batch,
                                   geometry: g, workspace: ws, accumulateInput: accumulate)
                }
                #expect(result.added == result.written, "\(g) on \(g.kernels)")
            }
        }
    }
}
