import CBZ2

/// Decompresses a bzip2 stream (or several concatenated streams, as pbzip2 writes) from an upstream source,
/// chunk by chunk through libbz2. Memory stays at libbz2's working set plus two fixed buffers.
public final class BZ2ByteSource: ByteSource {
    private let upstream: ByteSource
    private var stream = bz_stream()
    private var streamOpen = false
    private var input: UnsafeMutableRawBufferPointer
    private var inputFilled = 0
    private var upstreamEnded = false
    private var finished = false
    /// Compressed bytes handed to libbz2 so far, for error messages.
    private var compressedConsumed = 0

    public init(upstream: ByteSource, chunkSize: Int = 1 << 18) {
        self.upstream = upstream
        input = .allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit {
        if streamOpen { BZ2_bzDecompressEnd(&stream) }
        input.deallocate()
    }

    private func openStream() throws {
        let (pending, pendingCount) = (stream.next_in, stream.avail_in) // input left over from the previous stream
        stream = bz_stream()
        stream.next_in = pending
        stream.avail_in = pendingCount
        let rc = BZ2_bzDecompressInit(&stream, 0, 0)
        guard rc == BZ_OK else { throw PickleError.bzip2("decompressor init failed (\(rc))", compressedOffset: compressedConsumed) }
        streamOpen = true
    }

    /// Makes sure libbz2 has input; returns false at the end of the upstream.
    private func refillInput() throws -> Bool {
        if stream.avail_in > 0 { return true }
        if upstreamEnded { return false }
        let n = try upstream.read(into: input)
        if n == 0 { upstreamEnded = true; return false }
        stream.next_in = input.baseAddress!.assumingMemoryBound(to: CChar.self)
        stream.avail_in = UInt32(n)
        return true
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        while true {
            if !streamOpen {
                // Start of the file or of a further concatenated stream; end of input here is a clean end.
                guard try refillInput() else {
                    finished = true
                    if compressedConsumed == 0 { throw PickleError.bzip2("empty input", compressedOffset: 0) }
                    return 0
                }
                try openStream()
            }
            let hadInput = try refillInput()
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            stream.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
            let inBefore = stream.avail_in
            let rc = BZ2_bzDecompress(&stream)
            compressedConsumed += Int(inBefore - stream.avail_in)
            let produced = min(buffer.count, Int(UInt32.max)) - Int(stream.avail_out)
            switch rc {
            case BZ_OK:
                if produced > 0 { return produced }
                if !hadInput {
                    throw PickleError.bzip2("compressed stream ends before its end-of-stream marker", compressedOffset: compressedConsumed)
                }
            case BZ_STREAM_END:
                BZ2_bzDecompressEnd(&stream)
                streamOpen = false
                if produced > 0 { return produced }
            case BZ_DATA_ERROR_MAGIC:
                throw PickleError.bzip2("not a bzip2 stream (bad magic)", compressedOffset: compressedConsumed)
            case BZ_DATA_ERROR:
                throw PickleError.bzip2("corrupt data (CRC or block error)", compressedOffset: compressedConsumed)
            case BZ_MEM_ERROR:
                throw PickleError.bzip2("out of memory", compressedOffset: compressedConsumed)
            default:
                throw PickleError.bzip2("libbz2 error \(rc)", compressedOffset: compressedConsumed)
            }
        }
    }
}
