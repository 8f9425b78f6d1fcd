/// The five candidate operations of NAS-Bench-201, in the benchmark's order (index 0...4).
public enum Operation: Int, CaseIterable, Sendable, Hashable, Codable {
    case none = 0
    case skipConnect = 1
    case conv1x1 = 2
    case conv3x3 = 3
    case avgPool3x3 = 4

    /// The name used in arch strings and in the benchmark files.
    public var name: String {
        switch self {
        case .none: "none"
        case .skipConnect: "skip_connect"
        case .conv1x1: "nor_conv_1x1"
        case .conv3x3: "nor_conv_3x3"
        case .avgPool3x3: "avg_pool_3x3"
        }
    }

    public init?(name: String) {
        guard let op = Operation.allCases.first(where: { $0.name == name }) else { return nil }
        self = op
    }

    /// Kernel size of a convolution op, nil for the parameter-free ops.
    public var convKernel: Int? {
        switch self {
        case .conv1x1: 1
        case .conv3x3: 3
        default: nil
        }
    }

    public static var allNames: [String] { allCases.map(\.name) }
}
