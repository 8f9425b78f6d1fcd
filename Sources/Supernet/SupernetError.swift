/// What can go wrong configuring, checkpointing or resuming a supernet run.
public enum SupernetError: Error, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    case checkpointUnreadable(path: String, reason: String)
    case checkpointCorrupt(path: String, reason: String)
    case checkpointConfigurationMismatch(path: String, differences: [String])
    case checkpointWriteFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): "invalid supernet configuration: \(why)"
        case .checkpointUnreadable(let path, let why): "cannot read checkpoint \(path): \(why)"
        case .checkpointCorrupt(let path, let why):
            "checkpoint \(path) is corrupt or truncated (\(why)); delete it to start over or restore a good copy"
        case .checkpointConfigurationMismatch(let path, let diffs):
            "checkpoint \(path) belongs to another configuration (\(diffs.joined(separator: "; "))); resume with the same settings or use another checkpoint path"
        case .checkpointWriteFailed(let path, let why): "cannot write checkpoint \(path): \(why)"
        }
    }
}
