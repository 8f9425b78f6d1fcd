import Foundation

/// A forward-only supply of bytes: a file, a slice of a file, memory, or a decompressor over another source.
/// Large inputs are always consumed in chunks, never loaded whole.
public protocol ByteSource: AnyObject {
    /// Fills the front of `buffer` and returns how many bytes were written; 0 means end of input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Bytes already in memory (small pickles, tests).
public final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        if n > 0 {
            bytes.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
            }
            position += n
        }
        return n
    }
}

/// A byte range of a file read with `pread`, so several readers can share one descriptor-free path.
/// `length == nil` reads to the end of the file.
public final class FileByteSource: ByteSource {
    public let path: String
    private let descriptor: Int32
    private var position: Int
    private let end: Int?

    public init(path: String, offset: Int = 0, length: Int? = nil) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw PickleError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        descriptor = fd
        position = offset
        end = length.map { offset + $0 }
    }

    deinit { close(descriptor) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var want = buffer.count
        if let end { want = min(want, end - position) }
        guard want > 0 else { return 0 }
        while true {
            let n = pread(descriptor, buffer.baseAddress, want, off_t(position))
            if n >= 0 {
                position += n
                return n
            }
            if errno != EINTR { throw PickleError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
        }
    }

    /// The size of a file in bytes.
    public static func size(of path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw PickleError.io("cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        return Int(info.st_size)
    }

    /// Reads `count` bytes at `offset` (for random-access formats such as zip directories).
    public static func readRange(path: String, offset: Int, count: Int) throws -> [UInt8] {
        let source = try FileByteSource(path: path, offset: offset, length: count)
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try out.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if n == 0 { throw PickleError.container("\(path) ends before byte \(offset + count)") }
            filled += n
        }
        return out
    }
}
