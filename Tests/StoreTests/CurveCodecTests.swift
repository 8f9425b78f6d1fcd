import CDeflate
import CZlibEncoder
import Foundation
import Support
import Testing
import TestSupport
@testable import Store

/// Curves are stored as zlib-compressed float32 (schema version 4) and read back exactly; plain float32 rows of older
/// databases still read; a damaged blob is refused by name.
@Suite struct CurveCodecTests {
    @Test func roundTripsEveryValueIncludingNaN() throws {
        let compressor = try CurveCompressor()
        let accuracy: [Double] = (0..<200).map { epoch -> Double in
            let rise = 1 - exp(-Double(epoch) / 30)
            return 10 + 80 * rise + Double(epoch % 7) / 100
        }
        let evaluatedOnce = [Double](repeating: .nan, count: 199) + [88.75]
        for curve in [accuracy, evaluatedOnce, [Double](repeating: 12.46, count: 200), [], [3.5]] {
            let blob = try compressor.encode(curve).bytes
            let back = try BenchmarkStore.decodeCurve(blob, encoding: .zlibFloat32)
            #expect(back.count == curve.count)
            #expect(zip(back, curve).allSatisfy { ($0.isNaN && $1.isNaN) || $0 == Double(Float($1)) })
        }
        // Constant curves are encoded once per (value, length) and reused: each still reads back as itself.
        for (value, epochs) in [(5.0, 200), (5.0, 12), (6.0, 200), (5.0, 200), (.nan, 12)] {
            let back = try BenchmarkStore.decodeCurve(try compressor.encode(Array(repeating: value, count: epochs)).bytes, encoding: .zlibFloat32)
            #expect(back.count == epochs && back.allSatisfy { ($0.isNaN && value.isNaN) || $0 == value })
        }
        // What the encoding is for: a constant curve (NATS-Bench's time curves) takes a few bytes instead of 800, and
        // no curve grows much (the real files' curves shrink to under half: OfficialImportTests).
        #expect(try compressor.encode([Double](repeating: 12.46, count: 200)).bytes.count < 32)
        #expect(try compressor.encode(accuracy).bytes.count < 800)
    }

    /// nb201's zlib encoder against libdeflate's decoder: every match length and distance class, incompressible and
    /// constant bytes, float32 curves (the 200-epoch accuracy and 400-epoch loss curves below need code-length codes
    /// cut to deflate's 7 bits: the length-limiting path), sizes around the stored-below-64-bytes rule, and the limits
    /// of input and output size.
    @Test func zlibStreamsInflateToTheirInput() throws {
        var rng = SeededRandom(seed: 1950)
        var inputs: [[UInt8]] = [[], [7], [1, 2, 3], [UInt8](repeating: 0, count: 16384), [UInt8](repeating: 0x41, count: 5000)]
        inputs.append((0..<16384).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        var patterned: [UInt8] = []
        while patterned.count < 16384 { // repeats at every distance class, of every length class
            let length = 3 + rng.nextInt(below: 300), distance = 1 + rng.nextInt(below: min(patterned.count + 1, 16384))
            if patterned.count >= distance {
                for _ in 0..<length { patterned.append(patterned[patterned.count - distance]) }
            }
            patterned += (0..<rng.nextInt(below: 5)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        inputs.append(Array(patterned.prefix(16384)))
        func float32Bytes(_ values: [Double]) -> [UInt8] {
            values.flatMap { v in withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { Array($0) } }
        }
        let accuracy = float32Bytes((0..<200).map { (epoch: Int) -> Double in
            let rise: Double = 1 - exp(-Double(epoch) / 30)
            return 10 + 80 * rise + Double(epoch % 7) / 100
        })
        let loss = float32Bytes((0..<400).map { (epoch: Int) -> Double in
            let decay: Double = 2.3 * exp(-Double(epoch) / 40)
            return decay + 0.01 * sin(Double(epoch) * 0.7)
        })
        inputs += [accuracy, loss]
        for n in [63, 64, 65, 799, 800, 801] { inputs.append((0..<n).map { UInt8(($0 * 37) % 11) }) }
        let inflater = try #require(libdeflate_alloc_decompressor())
        defer { libdeflate_free_decompressor(inflater) }
        let encoder = try #require(nb_zlib_encoder_new())
        defer { nb_zlib_encoder_free(encoder) }
        for input in inputs {
            var stream = [UInt8](repeating: 0, count: nb_zlib_encode_bound(input.count))
            let written = input.withUnsafeBufferPointer { i in
                stream.withUnsafeMutableBufferPointer { nb_zlib_encode(encoder, i.baseAddress, i.count, $0.baseAddress, $0.count) }
            }
            #expect(written > 0 && written <= input.count + 11, "\(input.count) bytes")
            var back = [UInt8](repeating: 0, count: input.count + 1)
            var length = 0
            let status = stream.withUnsafeBytes { s in
                back.withUnsafeMutableBytes { libdeflate_zlib_decompress(inflater, s.baseAddress, written, $0.baseAddress, $0.count, &length) }
            }
            #expect(status == LIBDEFLATE_SUCCESS && Array(back.prefix(length)) == input, "\(input.count) bytes")
            // Too small an output is refused, never overrun.
            #expect(nb_zlib_encode(encoder, input, input.count, &stream, nb_zlib_encode_bound(input.count) - 1) == 0)
        }
        #expect(written(encoder, [UInt8](repeating: 1, count: 16385)) == 0) // over NB_ZLIB_ENCODE_MAX_INPUT
        // Per-curve codes keep curves as small as libdeflate's fastest level makes them (the store's former encoder).
        let reference = try #require(libdeflate_alloc_compressor(1))
        defer { libdeflate_free_compressor(reference) }
        for curve in [accuracy, loss] {
            var stream = [UInt8](repeating: 0, count: 2 * curve.count + 64)
            let libdeflateBytes = libdeflate_zlib_compress(reference, curve, curve.count, &stream, stream.count)
            #expect(libdeflateBytes > 0 && written(encoder, curve) <= libdeflateBytes + libdeflateBytes / 50)
        }
    }

    private func written(_ encoder: OpaquePointer, _ input: [UInt8]) -> Int {
        var stream = [UInt8](repeating: 0, count: nb_zlib_encode_bound(input.count))
        return nb_zlib_encode(encoder, input, input.count, &stream, stream.count)
    }

    @Test func readsPlainFloat32AndRefusesDamagedBlobs() throws {
        var plain: [UInt8] = []
        for v: Float in [1.5, -2, .nan] { withUnsafeBytes(of: v.bitPattern.littleEndian) { plain.append(contentsOf: $0) } }
        let values = try BenchmarkStore.decodeCurve(plain, encoding: .float32)
        #expect(values[0] == 1.5 && values[1] == -2 && values[2].isNaN)
        #expect(throws: StoreError.self) { try BenchmarkStore.decodeCurve(Array(plain.dropLast()), encoding: .float32) }
        var blob = try CurveCompressor().encode([1, 2, 3, 4]).bytes
        blob[blob.count / 2] ^= 0xFF
        #expect { try BenchmarkStore.decodeCurve(blob, encoding: .zlibFloat32) } throws: { error in
            "\(error)".contains("does not inflate") && "\(error)".contains("re-import")
        }
    }
}
