import Testing
import Support
@testable import Datasets

@Suite struct AugmentationTests {
    /// mean 0, std 1: outputs are the raw pixel values, so moves are easy to read.
    private static let raw = Normalization(mean: [0, 0, 0], std: [1, 1, 1])

    @Test func handWorkedCropAndFlip() {
        let shape = ImageShape(channels: 1, height: 3, width: 3)
        let image: ArraySlice<UInt8> = [1, 2, 3,
                                        4, 5, 6,
                                        7, 8, 9]
        let gray = Normalization(mean: [0], std: [1])
        func apply(_ dy: Int, _ dx: Int, _ flip: Bool) -> [Float] {
            ImageTransform(shiftY: dy, shiftX: dx, flipped: flip).apply(to: image, shape: shape, normalization: gray)
        }
        #expect(apply(0, 0, false) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        // Crop window one row down, one column right: the image moves up-left, zeros enter bottom-right.
        #expect(apply(1, 1, false) == [5, 6, 0, 8, 9, 0, 0, 0, 0])
        #expect(apply(-1, -1, false) == [0, 0, 0, 0, 1, 2, 0, 4, 5])
        #expect(apply(0, 0, true) == [3, 2, 1, 6, 5, 4, 9, 8, 7])
        // Flip after the crop: crop (0, +1) gives [2 3 0 / 5 6 0 / 8 9 0], mirrored.
        #expect(apply(0, 1, true) == [0, 3, 2, 0, 6, 5, 0, 9, 8])
        #expect(apply(2, 0, false) == [7, 8, 9, 0, 0, 0, 0, 0, 0])
        #expect(apply(3, 0, false) == [Float](repeating: 0, count: 9))
    }

    /// Every shift within 4 px and both flips on a non-square, 3-channel image, against the definition.
    @Test func everyShiftAndFlipMatchesTheDefinition() {
        let shape = ImageShape(channels: 3, height: 5, width: 7)
        let image = ArraySlice(Fixtures.pixels(shape, seed: 11))
        for dy in -4...4 {
            for dx in -4...4 {
                for flip in [false, true] {
                    let out = ImageTransform(shiftY: dy, shiftX: dx, flipped: flip)
                        .apply(to: image, shape: shape, normalization: Self.raw)
                    var expected = [Float]()
                    for c in 0..<3 {
                        for y in 0..<5 {
                            for x in 0..<7 {
                                let sy = y + dy, sx = (flip ? 6 - x : x) + dx
                                let inside = (0..<5).contains(sy) && (0..<7).contains(sx)
                                expected.append(inside ? Float(image[c * 35 + sy * 7 + sx]) : 0)
                            }
                        }
                    }
                    #expect(out == expected, "shift (\(dy), \(dx)) flip \(flip)")
                }
            }
        }
    }

    @Test func normalisationUsesPerChannelConstantsAndPadsWithNormalisedZero() {
        let shape = ImageShape(channels: 3, height: 1, width: 2)
        let image: ArraySlice<UInt8> = [0, 255, 100, 200, 50, 60]
        let n = Normalization.cifar10
        let out = ImageTransform(shiftY: 0, shiftX: 1, flipped: false).apply(to: image, shape: shape, normalization: n)
        let expected: [Float] = [(255 - 125.3) / 63.0, -125.3 / 63.0,
                                 (200 - 123.0) / 62.1, -123.0 / 62.1,
                                 (60 - 113.9) / 66.7, -113.9 / 66.7]
        for (a, b) in zip(out, expected) { #expect(abs(a - b) < 1e-5) }
    }

    @Test func drawsCoverEveryShiftAndBothFlips() {
        var random = SeededRandom(seed: 5)
        let draws = (0..<4_000).map { _ in Augmentation(padding: 4, flip: true).draw(using: &random) }
        #expect(Set(draws.map(\.shiftY)) == Set(-4...4) && Set(draws.map(\.shiftX)) == Set(-4...4))
        let flips = draws.filter(\.flipped).count
        #expect(flips > 1_800 && flips < 2_200)
        let small = (0..<500).map { _ in Augmentation(padding: 2, flip: false).draw(using: &random) }
        #expect(Set(small.map(\.shiftY)) == Set(-2...2) && !small.contains(where: \.flipped))
        // The evaluation path draws nothing and never moves a pixel.
        let before = random
        #expect(Augmentation.none.draw(using: &random) == .identity)
        #expect(random.next() == { var r = before; return r.next() }())
    }
}
