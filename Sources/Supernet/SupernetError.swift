import Engine

/// What can go wrong configuring, checkpointing or resuming a supernet run.
public enum SupernetError: Error, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    case checkpoint(CheckpointError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): "invalid supernet configuration: \(why)"
        case .checkpoint(let error): error.description
        }
    }
}
