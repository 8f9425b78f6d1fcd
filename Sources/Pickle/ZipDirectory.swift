/// A minimal zip reader for `torch.save` archives (PyTorch >= 1.6): the central directory (zip64 included) and
/// the data range of STORED entries. Compressed entries are refused; torch writes every entry STORED.
public struct ZipDirectory {
    public struct Entry: Sendable {
        public let name: String
        public let method: UInt16
        public let compressedSize: Int
        public let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    public let path: String
    public let entries: [Entry]
    private let fileSize: Int

    /// True when the bytes start like a zip archive.
    public static func looksLikeZip(_ head: [UInt8]) -> Bool { head.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    public init(path: String) throws {
        self.path = path
        fileSize = try FileByteSource.size(of: path)
        let tailSize = min(fileSize, 22 + 65_535 + 20)
        let tail = try FileByteSource.readRange(path: path, offset: fileSize - tailSize, count: tailSize)
        guard tail.count >= 22, let eocd = stride(from: tail.count - 22, through: 0, by: -1)
            .first(where: { Self.u32(tail, $0) == 0x0605_4B50 }) else {
            throw PickleError.container("\(path): no zip end-of-central-directory record")
        }
        var entryCount = Int(Self.u16(tail, eocd + 10))
        var directorySize = Int(Self.u32(tail, eocd + 12))
        var directoryOffset = Int(Self.u32(tail, eocd + 16))
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // Zip64: a locator just before the record points at the zip64 end-of-central-directory record.
            guard eocd >= 20, Self.u32(tail, eocd - 20) == 0x0706_4B50 else {
                throw PickleError.container("\(path): zip64 fields without a zip64 locator")
            }
            let recordOffset = try Self.checkedInt(Self.u64(tail, eocd - 12), path)
            guard recordOffset <= fileSize - 56 else { throw PickleError.container("\(path): zip64 record offset out of range") }
            let record = try FileByteSource.readRange(path: path, offset: recordOffset, count: 56)
            guard Self.u32(record, 0) == 0x0606_4B50 else { throw PickleError.container("\(path): bad zip64 end record") }
            entryCount = try Self.checkedInt(Self.u64(record, 32), path)
            directorySize = try Self.checkedInt(Self.u64(record, 40), path)
            directoryOffset = try Self.checkedInt(Self.u64(record, 48), path)
        }
        guard directoryOffset <= fileSize, directorySize <= fileSize - directoryOffset, entryCount <= directorySize / 46 + 1 else {
            throw PickleError.container("\(path): central directory (\(entryCount) entries, \(directorySize) bytes at \(directoryOffset)) lies outside the file")
        }
        let directory = try FileByteSource.readRange(path: path, offset: directoryOffset, count: directorySize)
        var entries: [Entry] = []
        var at = 0
        for _ in 0..<entryCount {
            guard at + 46 <= directory.count, Self.u32(directory, at) == 0x0201_4B50 else {
                throw PickleError.container("\(path): central directory entry \(entries.count) is damaged")
            }
            let nameLength = Int(Self.u16(directory, at + 28)), extraLength = Int(Self.u16(directory, at + 30))
            let commentLength = Int(Self.u16(directory, at + 32))
            let nameStart = at + 46, extraStart = nameStart + nameLength, next = extraStart + extraLength + commentLength
            guard next <= directory.count else { throw PickleError.container("\(path): central directory entry \(entries.count) overruns") }
            var compressed = UInt64(Self.u32(directory, at + 20)), uncompressed = UInt64(Self.u32(directory, at + 24))
            var local = UInt64(Self.u32(directory, at + 42))
            // Zip64 extra field (id 1): the 64-bit values of the fields that hold 0xFFFFFFFF, in this order.
            var e = extraStart
            while e + 4 <= extraStart + extraLength {
                let id = Self.u16(directory, e), size = Int(Self.u16(directory, e + 2))
                guard e + 4 + size <= extraStart + extraLength else { break }
                if id == 1 {
                    var p = e + 4
                    if uncompressed == 0xFFFF_FFFF, p + 8 <= e + 4 + size { uncompressed = Self.u64(directory, p); p += 8 }
                    if compressed == 0xFFFF_FFFF, p + 8 <= e + 4 + size { compressed = Self.u64(directory, p); p += 8 }
                    if local == 0xFFFF_FFFF, p + 8 <= e + 4 + size { local = Self.u64(directory, p) }
                }
                e += 4 + size
            }
            entries.append(Entry(
                name: String(decoding: directory[nameStart..<extraStart], as: UTF8.self),
                method: Self.u16(directory, at + 10),
                compressedSize: try Self.checkedInt(compressed, path),
                uncompressedSize: try Self.checkedInt(uncompressed, path),
                localHeaderOffset: try Self.checkedInt(local, path)))
            at = next
        }
        self.entries = entries
    }

    /// The byte range of a STORED entry's data in the file.
    public func dataRange(of entry: Entry) throws -> (offset: Int, length: Int) {
        guard entry.method == 0 else {
            throw PickleError.container("\(path): entry \(entry.name) is compressed (method \(entry.method)); torch archives store entries uncompressed")
        }
        guard entry.localHeaderOffset <= fileSize - 30 else { throw PickleError.container("\(path): entry \(entry.name) header out of range") }
        let header = try FileByteSource.readRange(path: path, offset: entry.localHeaderOffset, count: 30)
        guard Self.u32(header, 0) == 0x0403_4B50 else { throw PickleError.container("\(path): entry \(entry.name) has no local header") }
        let start = entry.localHeaderOffset + 30 + Int(Self.u16(header, 26)) + Int(Self.u16(header, 28))
        guard start <= fileSize, entry.compressedSize <= fileSize - start else {
            throw PickleError.container("\(path): entry \(entry.name) data lies outside the file")
        }
        return (start, entry.compressedSize)
    }

    private static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
    private static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
    private static func checkedInt(_ v: UInt64, _ path: String) throws -> Int {
        guard v <= UInt64(Int.max / 2) else { throw PickleError.container("\(path): zip field value \(v) out of range") }
        return Int(v)
    }
}
