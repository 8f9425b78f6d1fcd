import Support
import Engine
import Networks
import SearchSpace
import Testing
@testable import Proxies

@Suite struct ProxyBehaviourTests {
    static let allConv = try! Cell(archString: "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")

    /// The BN-free network synflow uses draws the same Conv/Linear weights from a seed as the network the
    /// other proxies use, so all five score one initialisation.
    @Test func bnFreeCopyHasTheSameWeights() {
        let shape = NetworkShape(channels: 4, cellsPerStage: 2, classes: 10, resolution: 8)
        let withBN = NB201Network(cell: Self.allConv, shape: shape, rng: SeededRandom(seed: 7))
        let without = NB201Network(cell: Self.allConv, shape: shape, rng: SeededRandom(seed: 7), batchNorm: false)
        let scored = Dictionary(uniqueKeysWithValues: scoredParameters(withBN).map { ($0.name, $0.value.array) })
        #expect(scoredParameters(without).count == scored.count)
        for p in scoredParameters(without) { #expect(scored[p.name] == p.value.array, "\(p.name) differs") }
        #expect(without.parameters.allSatisfy { $0.value.shape.count >= 2 || $0.name == "fc.bias" })
    }

    /// At the benchmark's size R reaches ~1e40 and beyond, past Float32's range: the per-block rescaling keeps
    /// the float32 pass finite and the Float64 score carries the magnitude.
    @Test func synflowBeyondFloat32Range() {
        let net = NB201Network(cell: Self.allConv, shape: NetworkShape(), rng: SeededRandom(seed: 3), batchNorm: false)
        let score = synflow(net)
        #expect(score.isFinite && score > Double(Float.greatestFiniteMagnitude), "synflow \(score)")
    }

    /// A cell with no path from input to output: its logits do not depend on the image, so jacob_cov is undefined
    /// (the reference's NaN), and the loss gradients of every scored weight vanish.
    @Test func disconnectedCell() throws {
        let cell = try Cell(archString: "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|")
        var rng = SeededRandom(seed: 5)
        let images = (0..<(8 * 3 * 8 * 8)).map { _ in rng.nextGaussian() }
        let batch = ProxyBatch(images: images, labels: (0..<8).map { Int32($0 % 10) }, resolution: 8)
        let scores = proxyScores(cell: cell, shape: NetworkShape(channels: 4, cellsPerStage: 1, classes: 10, resolution: 8),
                                 batch: batch, seed: 1)
        #expect(scores.jacobCov == nil)
        #expect(scores.snip == 0 && scores.gradNorm == 0 && scores.synflow == 0)
        #expect(scores.nwot.isFinite)
    }
}
