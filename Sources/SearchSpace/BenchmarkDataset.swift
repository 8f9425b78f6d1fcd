/// The benchmark's four datasets, named as in its files.
public enum BenchmarkDataset: String, CaseIterable, Sendable, Codable {
    case cifar10Valid = "cifar10-valid"
    case cifar10 = "cifar10"
    case cifar100 = "cifar100"
    case imageNet16 = "ImageNet16-120"

    public var classes: Int {
        switch self {
        case .cifar10Valid, .cifar10: 10
        case .cifar100: 100
        case .imageNet16: 120
        }
    }

    public var resolution: Int { self == .imageNet16 ? 16 : 32 }

    public var networkShape: NetworkShape { .benchmark(classes: classes, resolution: resolution) }

    /// Accepts the official name case-insensitively, plus common spellings (imagenet16, imagenet16-120).
    public init?(name: String) {
        let n = name.lowercased()
        if let d = BenchmarkDataset.allCases.first(where: { $0.rawValue.lowercased() == n }) { self = d; return }
        switch n {
        case "imagenet16", "imagenet", "imagenet16_120": self = .imageNet16
        case "cifar10_valid": self = .cifar10Valid
        default: return nil
        }
    }
}

extension BenchmarkDataset {
    /// The benchmark dataset whose splits a search on this dataset learns from and validates on: CIFAR-10 is searched
    /// on cifar10-valid (weights on its train half, validation on x-valid), the others on themselves.
    public var searchSource: BenchmarkDataset { self == .cifar10 ? .cifar10Valid : self }

    /// The dataset a search on this one is named by: cifar10-valid is how CIFAR-10 is split for a search, not a choice
    /// of its own (the inverse of `searchSource`).
    public var searchDataset: BenchmarkDataset { self == .cifar10Valid ? .cifar10 : self }
}

/// The evaluation splits the benchmark records (see NB201.md for which exists where).
public enum BenchmarkSplit: String, CaseIterable, Sendable, Codable {
    case train
    case xValid = "x-valid"
    case xTest = "x-test"
    case oriTest = "ori-test"
}
