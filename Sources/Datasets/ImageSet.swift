/// Channels, height and width of every image of a set.
public struct ImageShape: Sendable, Equatable, CustomStringConvertible {
    public let channels: Int
    public let height: Int
    public let width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    public static let cifar = ImageShape(channels: 3, height: 32, width: 32)
    public static let imageNet16 = ImageShape(channels: 3, height: 16, width: 16)

    /// Values per image (C * H * W).
    public var elementCount: Int { channels * height * width }
    public var description: String { "\(channels)x\(height)x\(width)" }
}

/// Images and their labels as read from a dataset's files, held compactly: image i is the bytes
/// `pixels[i * shape.elementCount ..< (i + 1) * shape.elementCount]`, planar CHW (all of R, then G, then B),
/// rows top to bottom. Labels are class targets in 0..<classCount.
public struct ImageSet: Sendable {
    public let shape: ImageShape
    public let classCount: Int
    public let pixels: [UInt8]
    public let labels: [Int32]

    public init(shape: ImageShape, classCount: Int, pixels: [UInt8], labels: [Int32]) {
        precondition(pixels.count == labels.count * shape.elementCount, "pixels do not match labels x shape")
        self.shape = shape
        self.classCount = classCount
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The pixel bytes of image `i`.
    public func image(_ i: Int) -> ArraySlice<UInt8> {
        let n = shape.elementCount
        return pixels[i * n ..< (i + 1) * n]
    }

    /// The sets one after another (e.g. the five CIFAR-10 train batches), in order.
    public static func concatenating(_ parts: [ImageSet]) -> ImageSet {
        precondition(!parts.isEmpty)
        let shape = parts[0].shape, classCount = parts[0].classCount
        precondition(parts.allSatisfy { $0.shape == shape && $0.classCount == classCount })
        if parts.count == 1 { return parts[0] }
        var pixels = [UInt8](), labels = [Int32]()
        pixels.reserveCapacity(parts.reduce(0) { $0 + $1.pixels.count })
        labels.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts {
            pixels += p.pixels
            labels += p.labels
        }
        return ImageSet(shape: shape, classCount: classCount, pixels: pixels, labels: labels)
    }

    /// Per-channel mean and standard deviation of the pixel values (0...255 scale) over the whole set,
    /// the figures the normalisation constants are checked against.
    public func channelStatistics() -> (mean: [Double], std: [Double]) {
        let plane = shape.height * shape.width
        var histograms = [[Int]](repeating: [Int](repeating: 0, count: 256), count: shape.channels)
        pixels.withUnsafeBufferPointer { px in
            for c in 0..<shape.channels {
                histograms[c].withUnsafeMutableBufferPointer { h in
                    for i in 0..<count {
                        let base = i * shape.elementCount + c * plane
                        for k in base ..< base + plane { h[Int(px[k])] += 1 }
                    }
                }
            }
        }
        let n = Double(count * plane)
        var means = [Double](), stds = [Double]()
        for h in histograms {
            var sum = 0.0, sumSquares = 0.0
            for (v, k) in h.enumerated() {
                sum += Double(v * k)
                sumSquares += Double(v * v) * Double(k)
            }
            let mean = sum / n
            means.append(mean)
            stds.append((sumSquares / n - mean * mean).squareRoot())
        }
        return (means, stds)
    }
}
