import Foundation
import Testing
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
