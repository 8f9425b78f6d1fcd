import SearchSpace

/// A benchmark dataset's train and test sets with the NB201 split files applied: `subset(.xValid)` and
/// friends give the exact images each benchmark split names.
public struct BenchmarkData: Sendable {
    public let dataset: BenchmarkDataset
    /// The file-level train set (ImageNet16-120: only the 151,700 images with label <= 120).
    public let train: ImageSet
    /// The file-level test set (ImageNet16-120: the 6,000 val images with label <= 120).
    public let test: ImageSet
    private let splitIndices: [BenchmarkSplit: (part: DataPart, indices: [Int])]

    /// Reads the dataset's release files from `dataDirectory` (CIFAR-10: `cifar-10-batches-bin` or
    /// `cifar-10-batches-py`, CIFAR-100: `cifar-100-binary` or `cifar-100-python`, ImageNet16-120: `ImageNet16`)
    /// and its split file from `splitsDirectory`.
    public static func load(_ dataset: BenchmarkDataset, dataDirectory: String, splitsDirectory: String) throws
        -> BenchmarkData
    {
        let reader: (DataPart) throws -> ImageSet
        switch dataset {
        case .cifar10Valid, .cifar10: reader = { try CIFAR.cifar10.load($0, from: dataDirectory) }
        case .cifar100: reader = { try CIFAR.cifar100.load($0, from: dataDirectory) }
        case .imageNet16: reader = { try ImageNet16.load($0, from: dataDirectory) }
        }
        return try BenchmarkData(
            dataset: dataset, train: try reader(.train), test: try reader(.test), splitsDirectory: splitsDirectory)
    }

    /// Assembles already-read sets with the split file of `dataset` found in `splitsDirectory`.
    public init(dataset: BenchmarkDataset, train: ImageSet, test: ImageSet, splitsDirectory: String) throws {
        self.dataset = dataset
        self.train = train
        self.test = test
        var splitIndices = [BenchmarkSplit: (part: DataPart, indices: [Int])]()
        splitIndices[.train] = (.train, Array(0..<train.count))
        splitIndices[.oriTest] = (.test, Array(0..<test.count))
        switch dataset {
        case .cifar10:
            break
        case .cifar10Valid:
            let file = try SplitFile.read(FileBytes.join(splitsDirectory, "cifar-split.txt"))
            splitIndices[.train] = (.train, try file.indices("train", within: train.count))
            splitIndices[.xValid] = (.train, try file.indices("valid", within: train.count))
        case .cifar100, .imageNet16:
            let name = dataset == .cifar100 ? "cifar100-test-split.txt" : "imagenet-16-120-test-split.txt"
            let file = try SplitFile.read(FileBytes.join(splitsDirectory, name))
            splitIndices[.xValid] = (.test, try file.indices("xvalid", within: test.count))
            splitIndices[.xTest] = (.test, try file.indices("xtest", within: test.count))
        }
        self.splitIndices = splitIndices
    }

    /// The images of one benchmark split, in the split file's order.
    public func subset(_ split: BenchmarkSplit) throws -> Subset {
        guard let (part, indices) = splitIndices[split] else {
            throw DatasetError.unavailableSplit(
                dataset: dataset.rawValue, split: split.rawValue, available: dataset.splits.map(\.rawValue))
        }
        return Subset(part == .train ? train : test, indices: indices)
    }
}
