import CZlib

/// How a `curves.per_epoch` blob holds its values (column `curves.encoding`, data/SCHEMA.md).
public enum CurveEncoding: String, Sendable {
    /// Little-endian float32 per epoch (databases imported before schema version 4).
    case float32
    /// The same bytes compressed with zlib: numpy reads them with `np.frombuffer(zlib.decompress(blob), '<f4')`.
    /// A 200-epoch accuracy or loss curve shrinks to about 60 % and a constant one (every `time` curve of
    /// NATS-Bench) to about 20 bytes: a full directory import goes from ~2.3 GB to well under 1 GB.
    case zlibFloat32 = "zlib-float32"
}

/// A curve ready to store: its `per_epoch` bytes and their encoding.
public struct EncodedCurve: Sendable, Equatable {
    public let bytes: [UInt8]
    public let encoding: CurveEncoding
}

/// Encodes curves, reusing one zlib stream (setting one up costs more than compressing a 200-value curve). Not
/// shareable between threads: each thread of an import that parses records owns one, so compression runs beside
/// the parsing instead of on the thread that writes SQLite.
public final class CurveCompressor {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 4096)

    public init() throws(StoreError) {
        // Level 1: the curves compress to the same size at every level (within 1 %), level 1 fastest. (A smaller
        // window and hash made them 9 % larger and were no faster.)
        guard deflateInit_(&stream, 1, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .cannotWrite("curves", reason: "zlib could not start a compressor (out of memory?)")
        }
    }

    deinit { deflateEnd(&stream) }

    /// zlib(little-endian float32 of `values`).
    public func encode(_ values: [Double]) throws(StoreError) -> EncodedCurve {
        guard values.count <= BenchmarkStore.maximumCurveEpochs else {
            throw .invalidValue("a curve of \(values.count) epochs; at most \(BenchmarkStore.maximumCurveEpochs) are stored")
        }
        var raw = [UInt8](repeating: 0, count: values.count * 4)
        raw.withUnsafeMutableBytes { bytes in
            for (i, v) in values.enumerated() { bytes.storeBytes(of: Float(v).bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        }
        let bound = Int(deflateBound(&stream, uLong(raw.count)))
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        deflateReset(&stream)
        let written = raw.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_in = input.baseAddress
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                // The output holds deflateBound bytes, so one Z_FINISH call always completes.
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate into deflateBound bytes returned \(status)")
                return out.count - Int(stream.avail_out)
            }
        }
        return EncodedCurve(bytes: Array(output[..<written]), encoding: .zlibFloat32)
    }
}

extension BenchmarkStore {
    /// Curves longer than this are refused as corrupt (NAS-Bench-201 and NATS-Bench train for 200 epochs at most).
    static let maximumCurveEpochs = 4096

    /// The values of a `curves.per_epoch` blob stored with `encoding` (NaN where the split was not evaluated).
    public static func decodeCurve(_ bytes: [UInt8], encoding: CurveEncoding) throws(StoreError) -> [Double] {
        let raw: [UInt8]
        switch encoding {
        case .float32:
            raw = bytes
        case .zlibFloat32:
            var out = [UInt8](repeating: 0, count: 4 * maximumCurveEpochs)
            var length = uLongf(out.count)
            let status = out.withUnsafeMutableBufferPointer { o in
                bytes.withUnsafeBufferPointer { uncompress(o.baseAddress, &length, $0.baseAddress, uLong($0.count)) }
            }
            guard status == Z_OK else {
                throw .corruptValue("a zlib-float32 curve of \(bytes.count) bytes does not inflate to at most \(maximumCurveEpochs) float32 values (zlib status \(status)); re-import the source file")
            }
            raw = Array(out[..<Int(length)])
        }
        guard raw.count % 4 == 0 else {
            throw .corruptValue("a curve holds \(raw.count) bytes, not a whole number of float32 values; re-import the source file")
        }
        return stride(from: 0, to: raw.count, by: 4).map { i in
            var bits: UInt32 = 0
            for k in 0..<4 { bits |= UInt32(raw[i + k]) << (8 * UInt32(k)) }
            return Double(Float(bitPattern: bits))
        }
    }
}
