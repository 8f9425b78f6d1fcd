import Support
import Testing
@testable import Engine

/// The direct convolution kernels (CKernels, for each instruction set this CPU runs) against the im2col + sgemm
/// path they replace, on shapes that reach every tile remainder (output channels past the last full block of 3,
/// 4 or 6; pixel vectors past the last full group of 2 or 3), a 5x5 kernel, an unpadded input, weight-gradient
/// groups cut short by the end of a chunk, and stride 2 (the residual blocks' first convolution: even and odd input
/// sizes, so the last bordered row and column are read or not, unpadded, 5x5).
@Suite(.serialized) struct DirectConvolutionTests {
    init() { EngineConfig.threading = .batchSplit(workers: 2) }

    struct Case: CustomTestStringConvertible, Sendable {
        let geometry: ConvGeometry, batch: Int, groupedWeightGradient: Bool
        var testDescription: String {
            let g = geometry
            return "\(g.inChannels)->\(g.outChannels) k\(g.kernel) s\(g.stride) p\(g.padding) \(g.inHeight)x\(g.inWidth) batch \(batch)"
        }
    }

    static let cases = [
        Case(geometry: ConvGeometry(inChannels: 3, outChannels: 5, kernel: 3, padding: 1, inHeight: 8, inWidth: 16), batch: 3, groupedWeightGradient: true),
        Case(geometry: ConvGeometry(inChannels: 4, outChannels: 6, kernel: 3, padding: 1, inHeight: 8, inWidth: 8), batch: 21, groupedWeightGradient: true),
        Case(geometry: ConvGeometry(inChannels: 2, outChannels: 7, kernel: 3, padding: 1, inHeight: 3, inWidth: 8), batch: 40, groupedWeightGradient: true),
        // Output channels past the last full weight-gradient block of the AVX-512 kernels (6): 4, 3 and 2.
        Case(geometry: ConvGeometry(inChannels: 2, outChannels: 16, kernel: 3, padding: 1, inHeight: 8, inWidth: 8), batch: 5, groupedWeightGradient: true),
        Case(geometry: ConvGeometry(inChannels: 3, outChannels: 9, kernel: 3, padding: 1, inHeight: 4, inWidth: 16), batch: 3, groupedWeightGradient: true),
        Case(geometry: ConvGeometry(inChannels: 2, outChannels: 8, kernel: 3, padding: 1, inHeight: 2, inWidth: 24), batch: 3, groupedWeightGradient: true),
        Case(geometry: ConvGeometry(inChannels: 2, outChannels: 3, kernel: 5, padding: 2, inHeight: 6, inWidth: 8), batch: 2, groupedWeightGradient: false),
        Case(geometry: ConvGeometry(inChannels: 3, outChannels: 4, kernel: 3, padding: 0, inHeight: 10, inWidth: 10), batch: 2, groupedWeightGradient: false),
        Case(geometry: ConvGeometry(inChannels: 8, outChannels: 16, kernel: 3, stride: 2, padding: 1, inHeight: 32, inWidth: 32), batch: 3, groupedWeightGradient: false),
        Case(geometry: ConvGeometry(inChannels: 3, outChannels: 5, kernel: 3, stride: 2, padding: 1, inHeight: 15, inWidth: 31), batch: 2, groupedWeightGradient: false),
        Case(geometry: ConvGeometry(inChannels: 2, outChannels: 7, kernel: 3, stride: 2, padding: 0, inHeight: 9, inWidth: 17), batch: 2, groupedWeightGradient: false),
        Case(geometry: ConvGeometry(inChannels: 2, outChannels: 3, kernel: 5, stride: 2, padding: 2, inHeight: 8, inWidth: 16), batch: 2, groupedWeightGradient: false),
    ]

    /// Forward (adding into a prefilled output) and backward (adding into prefilled gradients) on seeded data.
    func gradients(_ c: Case, _ kernels: ConvolutionKernels) -> (output: [Float], inputGrad: [Float], weightGrad: [Float]) {
        EngineConfig.$convolutionKernelLimit.withValue(kernels) { compute(c) }
    }

    func compute(_ c: Case) -> (output: [Float], inputGrad: [Float], weightGrad: [Float]) {
        var rng = SeededRandom(seed: 5)
        func random(_ shape: [Int]) -> Tensor {
            let t = Tensor(shape: shape)
            for i in 0..<t.count { t[i] = rng.nextGaussian() }
            return t
        }
        let g = c.geometry
        let x = random([c.batch, g.inChannels, g.inHeight, g.inWidth]), w = random([g.outChannels, g.inChannels, g.kernel, g.kernel])
        let y = random([c.batch, g.outChannels, g.outHeight, g.outWidth]), dy = random(y.shape)
        let dx = random(x.shape), dw = random(w.shape)
        let ws = Workspace()
        conv2dForward(output: y.data, input: x.data, weight: w.data, batch: c.batch, geometry: g, workspace: ws, accumulate: true)
        conv2dBackward(inputGrad: dx.data, weightGrad: dw.data, outputGrad: dy.data, input: x.data, weight: w.data,
                       batch: c.batch, geometry: g, workspace: ws)
        return (y.array, dx.array, dw.array)
    }

    func worstDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    func check(_ c: Case, _ kernels: ConvolutionKernels) {
        EngineConfig.$convolutionKernelLimit.withValue(kernels) {
            #expect(c.geometry.kernels == kernels)
            #expect((c.geometry.weightGradientGroup > 0) == c.groupedWeightGradient)
        }
        EngineConfig.$convolutionKernelLimit.withValue(.im2col) { #expect(c.geometry.kernels == .im2col) }
        let direct = gradients(c, kernels), reference = gradients(c, .im2col)
        #expect(worstDifference(direct.output, reference.output) < 1e-5)
        #expect(worstDifference(direct.inputGrad, reference.inputGrad) < 1e-5)
        #expect(worstDifference(direct.weightGrad, reference.weightGrad) < 1e-5)
    }

    @Test(.enabled(if: EngineConfig.availableConvolutionKernels >= .avx2, "this CPU has no AVX2/FMA: the direct kernels never run"),
          arguments: cases)
    func avx2MatchesIm2col(_ c: Case) { check(c, .avx2) }

    @Test(.enabled(if: EngineConfig.availableConvolutionKernels >= .avx512, "this CPU has no AVX-512VL: its kernels never run"),
          arguments: cases)
    func avx512MatchesIm2col(_ c: Case) { check(c, .avx512) }

    @Test func otherShapesUseIm2col() {
        #expect(ConvGeometry(inChannels: 2, outChannels: 2, kernel: 3, padding: 1, inHeight: 4, inWidth: 4).kernels == .im2col)
        #expect(ConvGeometry(inChannels: 2, outChannels: 2, kernel: 3, stride: 2, padding: 1, inHeight: 12, inWidth: 12).kernels == .im2col)
        #expect(ConvGeometry(inChannels: 2, outChannels: 2, kernel: 3, stride: 3, padding: 0, inHeight: 24, inWidth: 24).kernels == .im2col)
        #expect(ConvGeometry(inChannels: 2, outChannels: 2, kernel: 1, padding: 0, inHeight: 8, inWidth: 8).kernels == .im2col)
    }
}
