import CBZip2

/// Decompresses a bzip2 stream (or several concatenated streams, as pbzip2 writes) from an upstream source,
/// chunk by chunk through nb201's decoder (CBZip2). Memory stays at one block's buffers (about 5.7 MB for the
/// 900 KB blocks of level 9) plus a 64 KB input buffer.
public final class BZ2ByteSource: ByteSource {
    /// The upstream and the error it threw, reachable from the decoder's C read callback.
    private final class Input {
        let upstream: ByteSource
        var error: Error?
        init(_ upstream: ByteSource) { self.upstream = upstream }
    }

    private let input: Input
    private let decoder: OpaquePointer

    public init(upstream: ByteSource) {
        input = Input(upstream)
        let read: nb_bz2_read_fn = { context, buffer, capacity in
            let input = Unmanaged<Input>.fromOpaque(context!).takeUnretainedValue()
            do {
                return try input.upstream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: capacity))
            } catch {
                input.error = error
                return -1
            }
        }
        guard let decoder = nb_bz2_decoder_create(read, Unmanaged.passUnretained(input).toOpaque()) else {
            fatalError("out of memory creating a bzip2 decoder")
        }
        self.decoder = decoder
    }

    deinit { nb_bz2_decoder_destroy(decoder) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        let n = nb_bz2_decode(decoder, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), buffer.count)
        if n >= 0 { return n }
        if Int32(n) == NB_BZ2_ERROR_READ, let error = input.error { throw error }
        throw PickleError.bzip2(String(cString: nb_bz2_error_detail(decoder)), compressedOffset: Int(nb_bz2_compressed_offset(decoder)))
    }
}
