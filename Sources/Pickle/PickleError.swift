/// Everything that can go wrong while reading a pickle or its container. Each case says where (byte offset in the
/// decoded pickle stream, or the file) and what was expected, so a user can tell a damaged file from an unsupported one.
public enum PickleError: Error, Equatable, CustomStringConvertible {
    /// The input ended inside an opcode or before STOP.
    case truncated(offset: Int, expected: String)
    /// An opcode outside the supported subset (see FORMATS.md).
    case unknownOpcode(UInt8, offset: Int)
    /// A global the restricted unpickler does not know; nothing is ever imported or executed.
    case unknownGlobal(module: String, name: String, offset: Int)
    /// Well-formed bytes that make no sense for the value model (stack underflow, memo miss, bad REDUCE arguments...).
    case malformed(String, offset: Int)
    /// A resource guard tripped: nesting depth, a length field larger than allowed.
    case limitExceeded(String, offset: Int)
    /// libbz2 rejected the compressed stream.
    case bzip2(String, compressedOffset: Int)
    /// The torch / zip wrapper around the pickle is not what was expected.
    case container(String)
    /// The operating system refused a read or open.
    case io(String)

    public var description: String {
        switch self {
        case let .truncated(offset, expected): "pickle truncated at byte \(offset): expected \(expected)"
        case let .unknownOpcode(op, offset):
            "unsupported pickle opcode 0x\(String(op, radix: 16)) (\(Opcode.name(op))) at byte \(offset)"
        case let .unknownGlobal(module, name, offset):
            "pickle refers to global \(module).\(name) at byte \(offset), which the restricted unpickler does not allow"
        case let .malformed(what, offset): "malformed pickle at byte \(offset): \(what)"
        case let .limitExceeded(what, offset): "pickle at byte \(offset) exceeds a safety limit: \(what)"
        case let .bzip2(what, offset): "bzip2 stream invalid near compressed byte \(offset): \(what)"
        case let .container(what): "torch/zip container: \(what)"
        case let .io(what): what
        }
    }
}
