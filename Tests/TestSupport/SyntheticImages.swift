import Datasets
import Support

/// A learnable 32x32 image set for training tests: class c brightens one channel/row band, plus seeded noise.
public enum SyntheticImages {
    public static func learnable(count: Int, seed: UInt64, classes: Int = 10) -> ImageSet {
        var rng = SeededRandom(seed: seed)
        var pixels = [UInt8](repeating: 0, count: count * 3 * 32 * 32)
        var labels = [Int32](repeating: 0, count: count)
        for i in 0..<count {
            let c = rng.nextInt(below: classes)
            labels[i] = Int32(c)
            for ch in 0..<3 {
                for y in 0..<32 {
                    for x in 0..<32 {
                        let band = (c % 3 == ch) && (y / 8 == c / 3 || c == 9)
                        let noise = Int(rng.nextFloat() * 60)
                        pixels[((i * 3 + ch) * 32 + y) * 32 + x] = UInt8(min(255, (band ? 170 : 40) + noise))
                    }
                }
            }
        }
        return ImageSet(shape: .cifar, classCount: classes, pixels: pixels, labels: labels)
    }
}
