/// The four datasets of NAS-Bench-201, named as the benchmark names them.
public enum BenchmarkDataset: String, Sendable, CaseIterable {
    case cifar10Valid = "cifar10-valid"
    case cifar10 = "cifar10"
    case cifar100 = "cifar100"
    case imageNet16_120 = "ImageNet16-120"

    public var classCount: Int {
        switch self {
        case .cifar10Valid, .cifar10: 10
        case .cifar100: 100
        case .imageNet16_120: 120
        }
    }

    public var shape: ImageShape { self == .imageNet16_120 ? .imageNet16 : .cifar }

    public var normalization: Normalization {
        switch self {
        case .cifar10Valid, .cifar10: .cifar10
        case .cifar100: .cifar100
        case .imageNet16_120: .imageNet16
        }
    }

    /// The training augmentation of the reference: random crop with 4 px zero padding (2 px for ImageNet16)
    /// and horizontal flip.
    public var trainingAugmentation: Augmentation {
        Augmentation(padding: self == .imageNet16_120 ? 2 : 4, flip: true)
    }

    /// The splits the benchmark reports for this dataset (NB201.md): what the weights train on, and the
    /// parts accuracies are measured on.
    public var splits: [BenchmarkSplit] {
        switch self {
        case .cifar10Valid: [.train, .xValid, .oriTest]
        case .cifar10: [.train, .oriTest]
        case .cifar100, .imageNet16_120: [.train, .xValid, .xTest, .oriTest]
        }
    }
}

/// A named part of a benchmark dataset.
/// - `train`: what the benchmark's networks trained on (cifar10-valid: the 25k "train" half of the train set;
///   cifar10, cifar100: all 50k; ImageNet16-120: the 151,700 images with label <= 120).
/// - `xValid` / `xTest`: cifar10-valid's other 25k train images ("valid" half); for cifar100 and
///   ImageNet16-120 the two halves of the test (val) set. cifar10 has neither.
/// - `oriTest`: the whole test set (ImageNet16-120: the 6,000 val images).
/// A weight-sharing search validates on `xValid` (for CIFAR-10 that means loading `cifar10Valid`).
public enum BenchmarkSplit: String, Sendable, CaseIterable {
    case train = "train"
    case xValid = "x-valid"
    case xTest = "x-test"
    case oriTest = "ori-test"
}
