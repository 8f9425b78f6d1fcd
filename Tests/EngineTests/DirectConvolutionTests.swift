import Support
import Testing
@testable import Engine

/// The direct AVX2 convolution kernels (CKernels) against the im2col + sgemm path they replace, on shapes that
/// reach every tile remainder: output channels 4k+1, 4k+2, 4k+3, an odd number of pixel vectors, a 5x5 kernel,
/// an unpadded input, and weight-gradient groups cut short by the end of a chunk.
@Suite(.serialized, .enabled(if: directConvolutionAvailable, "this CPU has no AVX2/FMA: the direct kernels never run"))
struct DirectConvolutionTests {
    init() { EngineConfig.threading = .batchSplit(workers: 2) }

    struct Case: CustomTestStringConvertible, Sendable {
        let geometry: ConvGeometry, batch: Int, groupedWeightGradient: Bool
        var testDescription: String {
            let g = geometry
            return "\(g.inChannels)->\(g.outChannels) k\(g.kernel) p\(g.padding) \(g.inHeight)x\(g.inWidth) batch \(batch)"
        }
    }

    static let cases = [
        Case(geometry: ConvGeometry(inChannels: 3, outChannels: 5, kernel: 3, padding: 1, inHeight: 8, inWidth: 16), batch: 3, groupedWeightGradient: true),
        Case(geometry: ConvGeometry(inChannels: 4, outChannels: 6, kernel: 3, padding: 1, inHeight: 8, inWidth: 8), batch: 21, groupedWeightGradient: true),
        Case(geometry: ConvGeometry(inChannels: 2, outChannels: 7, kernel: 3, padding: 1, inHeight: 3, inWidth: 8), batch: 40, groupedWeightGradient: true),
        Case(geometry: ConvGeometry(inChannels: 2, outChannels: 3, kernel: 5, padding: 2, inHeight: 6, inWidth: 8), batch: 2, groupedWeightGradient: false),
        Case(geometry: ConvGeometry(inChannels: 3, outChannels: 4, kernel: 3, padding: 0, inHeight: 10, inWidth: 10), batch: 2, groupedWeightGradient: false),
    ]

    /// Forward (adding into a prefilled output) and backward (adding into prefilled gradients) on seeded data.
    func gradients(_ c: Case, direct: Bool) -> (output: [Float], inputGrad: [Float], weightGrad: [Float]) {
        EngineConfig.$allowsDirectConvolution.withValue(direct) { compute(c) }
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

    @Test(arguments: cases) func directMatchesIm2col(_ c: Case) {
        #expect(c.geometry.runsDirect)
        #expect((c.geometry.weightGradientGroup > 0) == c.groupedWeightGradient)
        EngineConfig.$allowsDirectConvolution.withValue(false) { #expect(!c.geometry.runsDirect) }
        let direct = gradients(c, direct: true), reference = gradients(c, direct: false)
        #expect(worstDifference(direct.output, reference.output) < 1e-5)
        #expect(worstDifference(direct.inputGrad, reference.inputGrad) < 1e-5)
        #expect(worstDifference(direct.weightGrad, reference.weightGrad) < 1e-5)
    }

    @Test func widthsThatAreNotWholeVectorsUseIm2col() {
        #expect(!ConvGeometry(inChannels: 2, outChannels: 2, kernel: 3, padding: 1, inHeight: 4, inWidth: 4).runsDirect)
        #expect(!ConvGeometry(inChannels: 2, outChannels: 2, kernel: 3, stride: 2, padding: 1, inHeight: 16, inWidth: 16).runsDirect)
        #expect(!ConvGeometry(inChannels: 2, outChannels: 2, kernel: 1, padding: 0, inHeight: 8, inWidth: 8).runsDirect)
    }
}
