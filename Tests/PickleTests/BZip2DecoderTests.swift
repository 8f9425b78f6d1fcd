import Foundation
import Support
import Testing
@testable import Pickle

/// nb201's bzip2 decoder (CBZip2) against libbz2, the library that writes and reads the benchmark's files: what
/// libbz2 writes decodes to the same bytes, whatever libbz2 rejects is rejected, and damage never crashes.
@Suite struct BZip2DecoderTests {
    /// Everything `BZ2ByteSource` yields for `compressed`, read in pieces of `chunk` bytes.
    static func decode(_ compressed: [UInt8], chunk: Int = 1 << 16) throws -> [UInt8] {
        let source = BZ2ByteSource(upstream: MemoryByteSource(compressed))
        var out: [UInt8] = [], buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// Inputs that reach every part of the format: runs around the run-length code's limits (4 and 4 + 255), long
    /// runs of the move-to-front list's head (RUNA/RUNB up to 2^19), periodic data (the walk's cycle is shorter than
    /// the block), random bytes (every list position, long Huffman codes), text, and several blocks per stream.
    static func samples() -> [(name: String, bytes: [UInt8])] {
        var rng = SeededRandom(seed: 18)
        var result: [(String, [UInt8])] = [("one byte", [7]), ("four equal", [9, 9, 9, 9])]
        for length in [3, 4, 5, 8, 258, 259, 260, 263, 264, 1000, 5000] {
            result.append(("run of \(length)", [UInt8](repeating: 0x41, count: length) + [0x42]))
        }
        result.append(("all byte values", (0..<256).map { UInt8($0) } + (0..<256).map { UInt8(255 - $0) }))
        result.append(("periodic ab", (0..<600_000).map { UInt8($0 % 2 == 0 ? 0x61 : 0x62) }))
        result.append(("periodic 7", (0..<250_000).map { UInt8([1, 2, 3, 1, 2, 4, 9][$0 % 7]) }))
        result.append(("one value", [UInt8](repeating: 0, count: 1_500_000)))
        result.append(("random", (0..<1_200_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))
        result.append(("skewed", (0..<700_000).map { _ in UInt8(min(255, Int(-log(Double(rng.nextFloat()) + 1e-9) * 9))) }))
        let words = ["arch", "cifar10", "valid", "test", "ori-test@199", "|nor_conv_3x3~0|", "+", "0.9315", "loss", "\n"]
        result.append(("text", Array((0..<120_000).map { _ in words[rng.nextInt(below: words.count)] }.joined(separator: " ").utf8)))
        var floats: [UInt8] = []
        for i in 0..<40_000 { // a pickled list of doubles, as the benchmark's curves
            floats.append(0x47)
            withUnsafeBytes(of: (Double(i % 200) * 0.37 + Double(rng.nextFloat())).bitPattern.bigEndian) { floats += $0 }
        }
        result.append(("pickled floats", floats))
        return result
    }

    @Test func decodesWhatLibbz2Writes() throws {
        for (name, bytes) in Self.samples() {
            for level: Int32 in [1, 9] {
                let compressed = TestSupport.bzip2(bytes, level: level)
                #expect(try Self.decode(compressed) == bytes, "\(name), level \(level)")
            }
        }
    }

    @Test func outputStreamsInPiecesOfAnySize() throws {
        let bytes = Self.samples().first { $0.name == "text" }!.bytes + [UInt8](repeating: 5, count: 2000)
        let compressed = TestSupport.bzip2(bytes, level: 1)
        for chunk in [1, 3, 255, 4096, 1 << 20] {
            #expect(try Self.decode(compressed, chunk: chunk) == bytes, "chunk \(chunk)")
        }
    }

    @Test func concatenatedStreamsDecodeAsOneAndTrailingBytesAreRefused() throws {
        let a = Array("first stream ".utf8), b = [UInt8](repeating: 3, count: 300_000)
        #expect(try Self.decode(TestSupport.bzip2(a) + TestSupport.bzip2(b, level: 2)) == a + b)
        #expect(throws: PickleError.self) { try Self.decode(TestSupport.bzip2(a) + Array("junk".utf8)) }
        #expect(throws: PickleError.self) { try Self.decode([]) }
        #expect(throws: PickleError.self) { try Self.decode(Array("BZh0".utf8) + TestSupport.bzip2(a).dropFirst(4)) }
        #expect(try Self.decode(TestSupport.bzip2([])) == [])
    }

    @Test func everyTruncationIsAnError() throws {
        let compressed = TestSupport.bzip2(Array(Self.samples().first { $0.name == "text" }!.bytes.prefix(20_000)))
        for cut in 0..<compressed.count {
            #expect(throws: PickleError.self) { try Self.decode(Array(compressed.prefix(cut))) }
        }
    }

    /// Damaged streams: where libbz2 rejects one, so does nb201's decoder; where libbz2 accepts one, nb201 gives the
    /// same bytes. Either way, no crash.
    @Test func damagedStreamsAgreeWithLibbz2() throws {
        var rng = SeededRandom(seed: FuzzTests.seed).fork("bzip2 differential")
        let originals = Self.samples().filter { ["text", "pickled floats", "run of 263", "periodic 7", "skewed"].contains($0.name) }
            .map { Array($0.bytes.prefix(150_000)) }
        let streams = originals.map { TestSupport.bzip2($0, level: 1) }
        var rejected = 0
        for n in 0..<(300 * FuzzTests.scale) {
            let k = n % streams.count
            let damaged = FuzzTests.mutate(streams[k], &rng)
            let reference = TestSupport.bunzip2(damaged, expectedSize: 2 * originals[k].count + 1000)
            let ours = try? Self.decode(damaged)
            if let reference {
                // libbz2 stops at the first end-of-stream marker; nb201 also reads any stream after it.
                #expect(ours == nil || ours!.starts(with: reference), "damage \(n) of \(k)")
            } else {
                #expect(ours == nil, "damage \(n) of \(k): libbz2 rejects what nb201 accepts")
                rejected += 1
            }
        }
        #expect(rejected > 200 * FuzzTests.scale)
    }
}
