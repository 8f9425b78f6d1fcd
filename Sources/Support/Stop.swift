/// Thrown by long work (training, path evaluation, proxy scoring) when its `shouldStop` said yes at a safe point,
/// after everything done so far was saved; `kept` says what was saved, so the caller can tell the user. The caller
/// owns why it stops (the command line: Ctrl-C or SIGTERM); the library only asks.
public struct WorkStopped: Error, Equatable, CustomStringConvertible {
    public let kept: String

    public init(kept: String) { self.kept = kept }

    public var description: String { "stopped on request; kept \(kept)" }
}
