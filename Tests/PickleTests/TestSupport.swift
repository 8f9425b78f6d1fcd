import CBZ2
import Foundation
import TestSupport
@testable import Pickle

/// Helpers shared by the Pickle tests: paths, in-memory loading, and writers for the containers under test.
enum TestSupport {
    /// `../shared/data/...` resolved from the package root, or nil (and the caller skips) when absent.
    static func sharedData(_ relative: String, file: String = #filePath) -> String? {
        let root = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/data/\(relative)").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func load(_ bytes: [UInt8], memoReads: MemoReads? = nil, stream: StreamRequest? = nil,
                     limits: UnpickleLimits = UnpickleLimits()) throws -> PickleValue {
        try Unpickler(reader: ByteReader(MemoryByteSource(bytes)), memoReads: memoReads, stream: stream, limits: limits).load()
    }

    /// libbz2's compression of `bytes` (block size `level` x 100,000 bytes).
    static func bzip2(_ bytes: [UInt8], level: Int32 = 9) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: bytes.count + bytes.count / 100 + 700)
        var outLength = UInt32(out.count)
        var input = bytes
        let rc = out.withUnsafeMutableBytes { o in
            input.withUnsafeMutableBytes { i in
                BZ2_bzBuffToBuffCompress(o.baseAddress!.assumingMemoryBound(to: CChar.self), &outLength,
                                         i.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(i.count), level, 0, 0)
            }
        }
        precondition(rc == BZ_OK)
        return Array(out.prefix(Int(outLength)))
    }

    /// libbz2's decompression of one stream, or nil where it reports an error.
    static func bunzip2(_ bytes: [UInt8], expectedSize: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: max(expectedSize, 1))
        var outLength = UInt32(out.count)
        var input = bytes
        let rc = out.withUnsafeMutableBytes { o in
            input.withUnsafeMutableBytes { i in
                BZ2_bzBuffToBuffDecompress(o.baseAddress!.assumingMemoryBound(to: CChar.self), &outLength,
                                           i.baseAddress?.assumingMemoryBound(to: CChar.self), UInt32(i.count), 0, 0)
            }
        }
        return rc == BZ_OK ? Array(out.prefix(Int(outLength))) : nil
    }

    static func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = SharedData.scratchRoot.appendingPathComponent("pickle-\(name)")
        try Data(bytes).write(to: url)
        return url.path
    }

    /// The legacy torch.save layout around `object`: magic, 1001, sys-info, object, empty storage-key list.
    static func torchLegacy(_ object: [UInt8]) -> [UInt8] {
        PickleFile.torchLegacyPrefix + [0x2E]
            + [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E]                       // 1001
            + [0x80, 0x02, 0x7D, 0x71, 0x00, 0x58, 0x0D, 0, 0, 0] + Array("little_endian".utf8) + [0x88, 0x73, 0x2E]
            + object
            + [0x80, 0x02, 0x5D, 0x2E]                                   // []
    }

    /// A zip archive with STORED entries, as torch.save writes (CRCs left zero: the reader does not check them).
    static func storedZip(_ entries: [(String, [UInt8])]) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16 & 0xFFFF) }
        var body = [UInt8](), directory = [UInt8]()
        for (name, data) in entries {
            let n = Array(name.utf8)
            let offset = body.count
            body += u32(0x0403_4B50) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(data.count) + u32(data.count)
                + u16(n.count) + u16(0) + n + data
            directory += u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0)
                + u32(data.count) + u32(data.count) + u16(n.count) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(offset) + n
        }
        return body + directory + u32(0x0605_4B50) + u16(0) + u16(0) + u16(entries.count) + u16(entries.count)
            + u32(directory.count) + u32(body.count) + u16(0)
    }
}

extension PickleValue {
    subscript(key: String) -> PickleValue? { if case let .dict(d) = self { d[key] } else { nil } }
    subscript(key: PickleValue) -> PickleValue? { if case let .dict(d) = self { d[key] } else { nil } }
    var double: Double? {
        switch self {
        case let .float(d): d
        case let .int(i): Double(i)
        case let .numpyScalar(s): s.doubleValue
        default: nil
        }
    }
}
