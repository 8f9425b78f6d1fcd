/// ImageNet16-120 (Chrabaszcz et al. 2017, 16x16 downsampled ImageNet): the python batches
/// `train_data_batch_1...10` and `val_data` of an `ImageNet16` directory, labels 1...1000, of which the
/// benchmark keeps the images with label <= 120, in file order, with target = label - 1.
public enum ImageNet16 {
    static let files: [DataPart: [String]] = [.train: (1...10).map { "train_data_batch_\($0)" }, .test: ["val_data"]]
    static let releaseCounts: [DataPart: Int] = [.train: 151_700, .test: 6_000]

    /// ImageNet16-120's share of one part (151,700 train, 6,000 val images).
    public static func load(_ part: DataPart, from directory: String) throws -> ImageSet {
        try load(part, from: directory, classes: 120, expectedCount: releaseCounts[part]!)
    }

    /// The images of one part whose label is 1...`classes`, checked against `expectedCount`.
    public static func load(_ part: DataPart, from directory: String, classes: Int, expectedCount: Int) throws
        -> ImageSet
    {
        let paths = files[part]!.map { FileBytes.join(directory, $0) }
        let size = ImageShape.imageNet16.elementCount
        var pixels = [UInt8](), labels = [Int32]()
        for path in paths {
            let batch = try PythonBatch.read(file: path, shape: .imageNet16, labelKey: "labels", valid: 1...1000,
                                             expected: "an ImageNet16 python batch (pickle)")
            for (i, label) in batch.labels.enumerated() where label <= classes {
                pixels += batch.pixels[i * size ..< (i + 1) * size]
                labels.append(Int32(label - 1))
            }
        }
        guard labels.count == expectedCount else {
            throw DatasetError.imageCountMismatch(
                what: "ImageNet16-\(classes) \(part.rawValue) (labels 1...\(classes) of "
                    + "\(paths.joined(separator: ", ")))", found: labels.count, expected: expectedCount)
        }
        return ImageSet(shape: .imageNet16, classCount: classes, pixels: pixels, labels: labels)
    }
}
