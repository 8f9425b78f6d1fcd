import SearchSpace

/// What the NB201 reference's data pipeline does per benchmark dataset (NB201.md).
extension BenchmarkDataset {
    public var imageShape: ImageShape { self == .imageNet16 ? .imageNet16 : .cifar }

    public var normalization: Normalization {
        switch self {
        case .cifar10Valid, .cifar10: .cifar10
        case .cifar100: .cifar100
        case .imageNet16: .imageNet16
        }
    }

    /// Random crop with 4 px zero padding (2 px for ImageNet16) and horizontal flip.
    public var trainingAugmentation: Augmentation {
        Augmentation(padding: self == .imageNet16 ? 2 : 4, flip: true)
    }

    /// The splits `BenchmarkData.subset(_:)` gives for this dataset:
    /// - `train`: what the benchmark's networks trained on (cifar10-valid: the 25k "train" half of the train
    ///   set; cifar10, cifar100: all 50k; ImageNet16-120: the 151,700 images with label <= 120);
    /// - `xValid` / `xTest`: cifar10-valid's x-valid is the other 25k train images ("valid" half); cifar100 and
    ///   ImageNet16-120 halve the test (val) set; cifar10 has neither;
    /// - `oriTest`: the whole test set (ImageNet16-120: the 6,000 val images).
    /// A weight-sharing search validates on `xValid` (for CIFAR-10 that means loading `cifar10Valid`).
    public var splits: [BenchmarkSplit] {
        switch self {
        case .cifar10Valid: [.train, .xValid, .oriTest]
        case .cifar10: [.train, .oriTest]
        case .cifar100, .imageNet16: [.train, .xValid, .xTest, .oriTest]
        }
    }
}
