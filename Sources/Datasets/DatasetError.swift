/// What can go wrong when reading dataset and split files. Every case names the file and what was expected,
/// so the message alone tells a user which file to fetch again or regenerate.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String, expected: String)
    case unreadableFile(path: String, reason: String)
    /// The size is not a whole, non-zero number of fixed-size records (a truncated or foreign file).
    case badRecordSize(path: String, fileSize: Int, recordSize: Int)
    case labelOutOfRange(path: String, record: Int, label: Int, valid: ClosedRange<Int>)
    case imageCountMismatch(what: String, found: Int, expected: Int)
    case malformedSplitFile(path: String, reason: String)
    case splitIndexOutOfRange(path: String, key: String, index: Int, count: Int)
    case unavailableSplit(dataset: String, split: String, available: [String])
    /// A python-layout file parsed as a pickle but does not hold what the CIFAR / ImageNet16 layout promises.
    case malformedBatch(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(path, expected):
            return "\(path): file not found (expected \(expected))"
        case let .unreadableFile(path, reason):
            return "\(path): cannot read file: \(reason)"
        case let .badRecordSize(path, fileSize, recordSize):
            return "\(path): \(fileSize) bytes is not a whole, non-zero number of \(recordSize)-byte records "
                + "(truncated or not this layout)"
        case let .labelOutOfRange(path, record, label, valid):
            return "\(path): record \(record) has label \(label), expected \(valid.lowerBound)...\(valid.upperBound)"
        case let .imageCountMismatch(what, found, expected):
            return "\(what): found \(found) images, expected \(expected)"
        case let .malformedSplitFile(path, reason):
            return "\(path): malformed split file: \(reason)"
        case let .splitIndexOutOfRange(path, key, index, count):
            return "\(path): split \"\(key)\" holds index \(index), but the set it splits has \(count) images"
        case let .unavailableSplit(dataset, split, available):
            return "\(dataset) has no split \(split) (available: \(available.joined(separator: ", ")))"
        case let .malformedBatch(path, reason):
            return "\(path): \(reason)"
        }
    }
}
