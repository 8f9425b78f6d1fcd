/// The CIFAR binary layout: fixed-size records of label byte(s) followed by 3,072 pixel bytes
/// (planar R[1024] G[1024] B[1024], rows of 32), exactly the order `ImageSet` keeps.
public enum CIFARBinary {
    /// The label bytes at the head of each record, the valid range of each, and which one is the target.
    public struct RecordLayout: Sendable {
        public let labelRanges: [ClosedRange<Int>]
        public let targetLabel: Int
        public let classCount: Int

        /// CIFAR-10: one label byte, 0...9.
        public static let cifar10 = RecordLayout(labelRanges: [0...9], targetLabel: 0, classCount: 10)
        /// CIFAR-100: coarse label 0...19, then fine label 0...99; the target is the fine label.
        public static let cifar100 = RecordLayout(labelRanges: [0...19, 0...99], targetLabel: 1, classCount: 100)

        public var recordSize: Int { labelRanges.count + ImageShape.cifar.elementCount }
    }

    /// Reads every record of one binary batch file. Any whole, non-zero number of records is accepted here;
    /// the directory loaders check the release's image counts.
    public static func read(file path: String, layout: RecordLayout) throws -> ImageSet {
        let bytes = try FileBytes.read(path, expected: "a CIFAR binary batch of \(layout.recordSize)-byte records")
        let recordSize = layout.recordSize
        guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
            throw DatasetError.badRecordSize(path: path, fileSize: bytes.count, recordSize: recordSize)
        }
        let count = bytes.count / recordSize
        let labelBytes = layout.labelRanges.count
        let imageSize = ImageShape.cifar.elementCount
        var pixels = [UInt8](repeating: 0, count: count * imageSize)
        var labels = [Int32](repeating: 0, count: count)
        try bytes.withUnsafeBufferPointer { src in
            try pixels.withUnsafeMutableBufferPointer { dst in
                for r in 0..<count {
                    let record = r * recordSize
                    for (k, range) in layout.labelRanges.enumerated() where !range.contains(Int(src[record + k])) {
                        throw DatasetError.labelOutOfRange(path: path, record: r, label: Int(src[record + k]), valid: range)
                    }
                    labels[r] = Int32(src[record + layout.targetLabel])
                    let from = src.baseAddress! + record + labelBytes
                    (dst.baseAddress! + r * imageSize).update(from: from, count: imageSize)
                }
            }
        }
        return ImageSet(shape: .cifar, classCount: layout.classCount, pixels: pixels, labels: labels)
    }
}
