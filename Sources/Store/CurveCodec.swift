import CDeflate
import CZlibEncoder

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

/// Encodes curves with nb201's zlib encoder (`CZlibEncoder`): libdeflate 1.14's fastest level spent ~5.5 of its
/// ~10 microseconds per 800-byte curve clearing a 128 KB hash table before reading a byte (9 % of an import's CPU);
/// this writes the same format, per-curve Huffman codes, within 1 % of its size. Not shareable between threads:
/// each thread of an import that parses records owns one, so compression runs beside the parsing instead of on the
/// thread that writes SQLite.
public final class CurveCompressor {
    private let encoder: OpaquePointer
    private var output = [UInt8](repeating: 0, count: 4096)
    /// Encodings of constant curves already made, by (float32 bits, epochs): NATS-Bench's time curves repeat one
    /// value, the same for every seed of a (dataset, budget, split), so about 70 % of them were made before.
    private var constantCurves: [ConstantCurve: EncodedCurve] = [:]
    private struct ConstantCurve: Hashable {
        let bits: UInt32
        let epochs: Int
    }
    /// Bounds `constantCurves` (an import meets a few dozen per architecture).
    private static let constantCurvesLimit = 1024

    public init() throws(StoreError) {
        guard let encoder = nb_zlib_encoder_new() else {
            throw .cannotWrite("curves", reason: "no memory for a curve encoder")
        }
        self.encoder = encoder
    }

    deinit { nb_zlib_encoder_free(encoder) }

    /// zlib(little-endian float32 of `values`).
    public func encode(_ values: [Double]) throws(StoreError) -> EncodedCurve {
        guard values.count <= BenchmarkStore.maximumCurveEpochs else {
            throw .invalidValue("a curve of \(values.count) epochs; at most \(BenchmarkStore.maximumCurveEpochs) are stored")
        }
        let bits = values.map { Float($0).bitPattern.littleEndian }
        var constant: ConstantCurve?
        if let first = bits.first, bits.allSatisfy({ $0 == first }) {
            constant = ConstantCurve(bits: first, epochs: bits.count)
            if let known = constantCurves[constant!] { return known }
        }
        let bound = nb_zlib_encode_bound(4 * bits.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        // The output holds the bound and the length is checked above, so encoding cannot fail (0 would mean it did).
        let written = bits.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes {
                nb_zlib_encode(encoder, raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count,
                               $0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count)
            }
        }
        precondition(written > 0, "nb_zlib_encode of \(4 * bits.count) bytes into its bound of \(bound) failed")
        let encoded = EncodedCurve(bytes: Array(output[..<written]), encoding: .zlibFloat32)
        if let constant {
            if constantCurves.count == Self.constantCurvesLimit { constantCurves.removeAll(keepingCapacity: true) }
            constantCurves[constant] = encoded
        }
        return encoded
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
            guard let decompressor = libdeflate_alloc_decompressor() else {
                throw .invalidValue("libdeflate could not start a decompressor (out of memory?)")
            }
            defer { libdeflate_free_decompressor(decompressor) }
            var out = [UInt8](repeating: 0, count: 4 * maximumCurveEpochs)
            var length = 0
            let status = out.withUnsafeMutableBytes { o in
                bytes.withUnsafeBytes { libdeflate_zlib_decompress(decompressor, $0.baseAddress, $0.count, o.baseAddress, o.count, &length) }
            }
            guard status == LIBDEFLATE_SUCCESS else {
                throw .corruptValue("a zlib-float32 curve of \(bytes.count) bytes does not inflate to at most \(maximumCurveEpochs) float32 values (libdeflate status \(status.rawValue)); re-import the source file")
            }
            raw = Array(out[..<length])
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
