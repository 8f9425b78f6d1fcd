import Support

/// The training augmentation: random crop of the original size from the image zero-padded by `padding`
/// pixels on each side (torchvision `RandomCrop(size, padding)`), then a horizontal flip with probability 1/2.
/// `.none` is the deterministic evaluation / BN-calibration path.
public struct Augmentation: Sendable, Equatable {
    public let padding: Int
    public let flip: Bool

    public init(padding: Int, flip: Bool) {
        precondition(padding >= 0)
        self.padding = padding
        self.flip = flip
    }

    public static let none = Augmentation(padding: 0, flip: false)

    /// One image's transform. Draw order per image: crop row, crop column, flip (each only if enabled).
    public func draw(using random: inout SeededRandom) -> ImageTransform {
        let window = 2 * padding + 1
        let dy = padding > 0 ? random.nextInt(below: window) - padding : 0
        let dx = padding > 0 ? random.nextInt(below: window) - padding : 0
        let flipped = flip ? random.nextInt(below: 2) == 1 : false
        return ImageTransform(shiftY: dy, shiftX: dx, flipped: flipped)
    }
}

/// Where one image's crop window sits and whether it is mirrored. Output pixel (y, x) takes the source pixel
/// (y + shiftY, x' + shiftX) with x' = W - 1 - x when flipped, else x; a source outside the image is the zero
/// padding (byte 0, which normalises to -mean/std like torchvision's padded zeros).
public struct ImageTransform: Sendable, Equatable {
    public let shiftY: Int
    public let shiftX: Int
    public let flipped: Bool

    public init(shiftY: Int, shiftX: Int, flipped: Bool) {
        self.shiftY = shiftY
        self.shiftX = shiftX
        self.flipped = flipped
    }

    public static let identity = ImageTransform(shiftY: 0, shiftX: 0, flipped: false)

    /// One transformed, normalised image as Float32 CHW.
    public func apply(to image: ArraySlice<UInt8>, shape: ImageShape, normalization: Normalization) -> [Float] {
        precondition(image.count == shape.elementCount && normalization.mean.count == shape.channels)
        let table = normalization.lookupTable()
        var out = [Float](repeating: 0, count: shape.elementCount)
        image.withUnsafeBufferPointer { src in
            table.withUnsafeBufferPointer { t in
                out.withUnsafeMutableBufferPointer { dst in
                    write(src.baseAddress!, shape: shape, table: t.baseAddress!, to: dst.baseAddress!)
                }
            }
        }
        return out
    }

    /// The hot loop of the batch pipeline: `table` is `Normalization.lookupTable()`.
    @inline(__always)
    func write(_ src: UnsafePointer<UInt8>, shape: ImageShape, table: UnsafePointer<Float>,
               to dst: UnsafeMutablePointer<Float>) {
        let h = shape.height, w = shape.width, plane = h * w
        // Output columns whose source column lies inside the image.
        let first = flipped ? max(0, shiftX) : max(0, -shiftX)
        let end = flipped ? min(w, w + shiftX) : min(w, w - shiftX)
        for c in 0..<shape.channels {
            let lut = table + c * 256
            let pad = lut[0]
            let srcPlane = src + c * plane
            for y in 0..<h {
                let row = dst + c * plane + y * w
                let sy = y + shiftY
                guard sy >= 0, sy < h, first < end else {
                    row.update(repeating: pad, count: w)
                    continue
                }
                let srcRow = srcPlane + sy * w
                for x in 0..<first { row[x] = pad }
                if flipped {
                    let base = w - 1 + shiftX
                    for x in first..<end { row[x] = lut[Int(srcRow[base - x])] }
                } else {
                    for x in first..<end { row[x] = lut[Int(srcRow[x + shiftX])] }
                }
                for x in end..<w { row[x] = pad }
            }
        }
    }
}
