import CDeflate
import CDeflateFixed
import Foundation
import Support
import Testing
@testable import Store

/// Curves are stored as zlib-compressed float32 (schema version 4) and read back exactly; plain float32 rows of older
/// databases still read; a damaged blob is refused by name.
@Suite struct CurveCodecTests {
    @Test func roundTripsEveryValueIncludingNaN() throws {
        let compressor = CurveCompressor()
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
        // no curve grows by more than a stored block's 11 bytes (the real files' curves shrink to under half:
        // OfficialImportTests).
        #expect(try compressor.encode([Double](repeating: 12.46, count: 200)).bytes.count < 32)
        #expect(try compressor.encode(accuracy).bytes.count <= 800 + 11)
    }

    /// The fixed-code deflate encoder against libdeflate's decoder: every length class (3-258, runs past 258),
    /// distances up to 16 KB, incompressible bytes, and the sizes around its block and word boundaries.
    @Test func fixedCodeStreamsInflateToTheirInput() throws {
        var rng = SeededRandom(seed: 1951)
        var inputs: [[UInt8]] = [[], [7], [1, 2], [1, 2, 3], [9, 9, 9, 9, 9, 9, 9, 9, 9]]
        inputs.append((0..<16384).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        inputs.append([UInt8](repeating: 0x41, count: 5000))
        var patterned: [UInt8] = []
        while patterned.count < 16384 { // repeats at every distance class, of every length class
            let length = 3 + rng.nextInt(below: 300), distance = 1 + rng.nextInt(below: min(patterned.count + 1, 16384))
            if patterned.count >= distance {
                for _ in 0..<length { patterned.append(patterned[patterned.count - distance]) }
            }
            patterned += (0..<rng.nextInt(below: 5)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        inputs.append(Array(patterned.prefix(16384)))
        for n in [31, 32, 33, 63, 64, 65, 799, 800] { inputs.append((0..<n).map { UInt8(($0 * 37) % 11) }) }
        let inflater = try #require(libdeflate_alloc_decompressor())
        defer { libdeflate_free_decompressor(inflater) }
        for input in inputs {
            var stream = [UInt8](repeating: 0, count: nb_deflate_fixed_zlib_bound(input.count))
            let written = input.withUnsafeBufferPointer { i in
                stream.withUnsafeMutableBufferPointer { nb_deflate_fixed_zlib(i.baseAddress, i.count, $0.baseAddress, $0.count) }
            }
            #expect(written > 0 && written <= stream.count && written <= input.count + 11)
            var back = [UInt8](repeating: 0, count: input.count + 1)
            var length = 0
            let status = stream.withUnsafeBytes { s in
                back.withUnsafeMutableBytes { libdeflate_zlib_decompress(inflater, s.baseAddress, written, $0.baseAddress, $0.count, &length) }
            }
            #expect(status == LIBDEFLATE_SUCCESS && Array(back.prefix(length)) == input, "\(input.count) bytes")
            // Too small an output is refused, never overrun.
            #expect(nb_deflate_fixed_zlib(input, input.count, &stream, nb_deflate_fixed_zlib_bound(input.count) - 1) == 0)
        }
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
