/// The two file-level parts every dataset ships: its train set and its test set (ImageNet16's `val_data`).
public enum DataPart: String, Sendable, CaseIterable {
    case train, test
}

/// CIFAR-10 and CIFAR-100 as released, read from one directory in either layout: binary
/// (`cifar-10-batches-bin`, `cifar-100-binary`) or python (`cifar-10-batches-py`, `cifar-100-python`),
/// recognised by which files the directory holds.
public struct CIFAR: Sendable {
    public let name: String
    public let layout: CIFARBinary.RecordLayout
    let binaryFiles: [DataPart: [String]]
    let pythonFiles: [DataPart: [String]]
    /// The key of the target labels in a python batch.
    let pythonLabelKey: String
    let releaseCounts: [DataPart: Int]

    public static let cifar10 = CIFAR(
        name: "CIFAR-10", layout: .cifar10,
        binaryFiles: [.train: (1...5).map { "data_batch_\($0).bin" }, .test: ["test_batch.bin"]],
        pythonFiles: [.train: (1...5).map { "data_batch_\($0)" }, .test: ["test_batch"]],
        pythonLabelKey: "labels", releaseCounts: [.train: 50_000, .test: 10_000])

    public static let cifar100 = CIFAR(
        name: "CIFAR-100", layout: .cifar100,
        binaryFiles: [.train: ["train.bin"], .test: ["test.bin"]],
        pythonFiles: [.train: ["train"], .test: ["test"]],
        pythonLabelKey: "fine_labels", releaseCounts: [.train: 50_000, .test: 10_000])

    /// Images in the release's count (50,000 train, 10,000 test).
    public func releaseCount(_ part: DataPart) -> Int { releaseCounts[part]! }

    /// One part as released, its files concatenated in order; the image count must be the release's.
    public func load(_ part: DataPart, from directory: String) throws -> ImageSet {
        try load(part, from: directory, expectedCount: releaseCount(part))
    }

    /// One part, checked against `expectedCount` images (tests use small generated files).
    public func load(_ part: DataPart, from directory: String, expectedCount: Int) throws -> ImageSet {
        let binary = binaryFiles[part]!.map { FileBytes.join(directory, $0) }
        let python = pythonFiles[part]!.map { FileBytes.join(directory, $0) }
        let files: [String], set: ImageSet
        if !FileBytes.exists(binary[0]) && FileBytes.exists(python[0]) {
            files = python
            let target = layout.labelRanges[layout.targetLabel]
            let batches = try python.map {
                try PythonBatch.read(file: $0, shape: .cifar, labelKey: pythonLabelKey, valid: target,
                                     expected: "a \(name) python batch (pickle)")
            }
            set = ImageSet(shape: .cifar, classCount: layout.classCount, pixels: batches.flatMap(\.pixels),
                           labels: batches.flatMap { $0.labels.map(Int32.init) })
        } else {
            files = binary
            set = ImageSet.concatenating(try binary.map { try CIFARBinary.read(file: $0, layout: layout) })
        }
        guard set.count == expectedCount else {
            throw DatasetError.imageCountMismatch(
                what: "\(name) \(part.rawValue) (\(files.joined(separator: ", ")))", found: set.count,
                expected: expectedCount)
        }
        return set
    }
}
