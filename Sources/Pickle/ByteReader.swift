/// Buffered reading of a `ByteSource` with the absolute offset of every byte, bounds-checked reads of
/// little-endian integers and length-prefixed payloads. Payloads are read in bounded chunks, so a huge
/// (corrupt) length field fails at the real end of input instead of allocating its claimed size.
public final class ByteReader {
    private let source: ByteSource
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var sourceEnded = false
    /// Offset of the first buffered byte in the whole stream.
    private var bufferBase = 0

    public init(_ source: ByteSource, bufferSize: Int = 1 << 20) {
        self.source = source
        buffer = .allocate(byteCount: max(bufferSize, 64), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Offset of the next byte to be read.
    public var offset: Int { bufferBase + start }

    /// Tries to have at least `count` (<= buffer size) bytes buffered; returns how many are.
    @discardableResult
    private func fill(_ count: Int) throws -> Int {
        if end - start >= count || sourceEnded { return end - start }
        if start > 0 {
            let live = end - start
            if live > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: live) }
            bufferBase += start
            start = 0
            end = live
        }
        while end - start < count && end < buffer.count {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if n == 0 { sourceEnded = true; break }
            end += n
        }
        return end - start
    }

    /// True when no byte is left.
    public func atEnd() throws -> Bool { try fill(1) == 0 }

    /// The next bytes without consuming them (fewer at end of input), for sniffing formats.
    public func peek(_ count: Int) throws -> [UInt8] {
        let n = min(try fill(min(count, buffer.count)), count)
        return Array(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + n)]))
    }

    @inline(__always)
    public func byte(_ what: @autoclosure () -> String) throws -> UInt8 {
        if start == end, try fill(1) == 0 { throw PickleError.truncated(offset: offset, expected: what()) }
        let b = buffer[start]
        start += 1
        return b
    }

    /// Runs `body` on the next `count` bytes in place (count <= 64 KiB), then consumes them.
    @inline(__always)
    public func withBytes<T>(_ count: Int, _ what: @autoclosure () -> String,
                             _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        precondition(count <= 1 << 16)
        if end - start < count, try fill(count) < count {
            throw PickleError.truncated(offset: offset, expected: what())
        }
        let result = try body(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + count)]))
        start += count
        return result
    }

    /// Runs `body` on every buffered byte (at least `minimum` of them unless the input ends first); `body` returns
    /// how many it consumed.
    @inline(__always)
    public func withBufferedBytes(minimum: Int, _ body: (UnsafeRawBufferPointer) throws -> Int) throws {
        if end - start < minimum { try fill(minimum) }
        start += try body(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
    }

    public func uint16(_ what: @autoclosure () -> String) throws -> UInt16 {
        try withBytes(2, what()) { UInt16($0[0]) | UInt16($0[1]) << 8 }
    }

    public func uint32(_ what: @autoclosure () -> String) throws -> UInt32 {
        try withBytes(4, what()) { $0.loadUnaligned(as: UInt32.self).littleEndian }
    }

    public func uint64(_ what: @autoclosure () -> String) throws -> UInt64 {
        try withBytes(8, what()) { $0.loadUnaligned(as: UInt64.self).littleEndian }
    }

    /// `count` bytes, gathered chunk by chunk.
    public func bytes(_ count: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(min(count, buffer.count))
        var left = count
        while left > 0 {
            let have = try fill(1)
            if have == 0 { throw PickleError.truncated(offset: offset, expected: "\(what()) (\(left) of \(count) bytes missing)") }
            let n = min(have, left)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<(start + n)]))
            start += n
            left -= n
        }
        return out
    }

    /// Skips `count` bytes without keeping them.
    public func skip(_ count: Int, _ what: @autoclosure () -> String) throws {
        var left = count
        while left > 0 {
            let have = try fill(1)
            if have == 0 { throw PickleError.truncated(offset: offset, expected: "\(what()) (\(left) of \(count) bytes missing)") }
            let n = min(have, left)
            start += n
            left -= n
        }
    }

    /// A newline-terminated line (without the newline), at most `limit` bytes long.
    public func line(limit: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
        var out = [UInt8]()
        while true {
            let b = try byte(what())
            if b == 0x0A { return out }
            out.append(b)
            if out.count > limit { throw PickleError.limitExceeded("\(what()) longer than \(limit) bytes", offset: offset) }
        }
    }
}
