/// A file holding one pickled object in any of the wrappers the benchmarks use, recognised from its bytes
/// (never its name): a plain pickle, bzip2 around a pickle, the legacy `torch.save` layout (five pickles back to
/// back), or the torch zip layout (`*/data.pkl`, STORED).
public struct PickleFile: Sendable {
    public enum Layout: Equatable, Sendable {
        case pickle
        /// Legacy torch.save: magic number, protocol version 1001, sys-info, object, storage keys.
        case torchLegacy
        /// Torch zip archive; the object is in this entry.
        case torchZip(entry: String)
    }

    /// How the second pass treats the memo.
    public enum MemoPolicy: Sendable {
        /// Keep every memoised value (one pass; right for small files).
        case keepAll
        /// Scan the file once to count the reads of every slot, then keep a value only while reads remain
        /// (two passes, bounded memory).
        case scanFirst
    }

    /// What a legacy torch file says besides its object.
    public struct TorchHeader: Sendable {
        public let sysInfo: PickleValue
        /// Keys of the tensor storages stored after the pickles (empty for the benchmark files; never loaded).
        public let storageKeys: [PickleValue]
    }

    public let path: String
    public let bzip2: Bool
    public private(set) var layout: Layout
    private let zipRange: (offset: Int, length: Int)?

    /// The magic number 0x1950a86a20f9469cfc6c as protocol 2 writes it: PROTO 2, LONG1 of 10 bytes.
    static let torchLegacyPrefix: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// Opens `path` and recognises its layout from the first bytes.
    public init(path: String) throws {
        self.path = path
        let head = try ByteReader(FileByteSource(path: path), bufferSize: 64).peek(4)
        if ZipDirectory.looksLikeZip(head) {
            let zip = try ZipDirectory(path: path)
            guard let entry = zip.entries.first(where: { $0.name == "data.pkl" || $0.name.hasSuffix("/data.pkl") }) else {
                throw PickleError.container("\(path) is a zip archive without a */data.pkl entry (entries: \(zip.entries.prefix(5).map(\.name)))")
            }
            bzip2 = false
            layout = .torchZip(entry: entry.name)
            zipRange = try zip.dataRange(of: entry)
            return
        }
        bzip2 = head.starts(with: Array("BZh".utf8))
        zipRange = nil
        layout = .pickle
        let payloadHead = try makeReader().peek(Self.torchLegacyPrefix.count)
        if payloadHead.starts(with: Self.torchLegacyPrefix) {
            layout = .torchLegacy
        } else if payloadHead.first != 0x80 {
            throw PickleError.container("\(path)\(bzip2 ? " (after bzip2)" : "") does not start with a pickle PROTO opcode, a zip header or a bzip2 header (first bytes: \(payloadHead.prefix(4).map { String($0, radix: 16) }))")
        }
    }

    /// Bytes of the pickle payload when known without decompressing (plain file or zip entry); nil under bzip2.
    public func payloadSize() throws -> Int? {
        bzip2 ? nil : try zipRange?.length ?? FileByteSource.size(of: path)
    }

    /// A fresh reader positioned at the first pickle of the payload.
    public func makeReader() throws -> ByteReader {
        let file = try FileByteSource(path: path, offset: zipRange?.offset ?? 0, length: zipRange?.length)
        return ByteReader(bzip2 ? BZ2ByteSource(upstream: file) : file)
    }

    /// Loads the object (for legacy torch files, the fourth pickle). With `stream`, the entries of the dict at
    /// the stream's path go to its handler as they complete and are not kept.
    public func load(stream: StreamRequest? = nil, memo: MemoPolicy = .keepAll,
                     limits: UnpickleLimits = UnpickleLimits()) throws -> (object: PickleValue, torch: TorchHeader?) {
        var reads: MemoReads?
        if memo == .scanFirst {
            let reader = try makeReader()
            if layout == .torchLegacy { for _ in 0..<3 { _ = try MemoScan.readSlots(reader) } }
            reads = try MemoScan.readSlots(reader)
        }
        let reader = try makeReader()
        guard layout == .torchLegacy else {
            let object = try Unpickler(reader: reader, memoReads: reads, stream: stream, limits: limits).load()
            try expectEnd(reader)
            return (object, nil)
        }
        let magic = try Unpickler(reader: reader).load()
        guard magic == Unpickler.integer(fromLittleEndian: Array(Self.torchLegacyPrefix[4...])) else {
            throw PickleError.container("\(path): first pickle is not the torch magic number")
        }
        let version = try Unpickler(reader: reader).load()
        guard version == .int(1001) else { throw PickleError.container("\(path): torch protocol version \(version), expected 1001") }
        let sysInfo = try Unpickler(reader: reader).load()
        let object = try Unpickler(reader: reader, memoReads: reads, stream: stream, limits: limits).load()
        guard case let .list(keys) = try Unpickler(reader: reader).load() else {
            throw PickleError.container("\(path): the fifth pickle (storage keys) is not a list")
        }
        if keys.items.isEmpty { try expectEnd(reader) }
        return (object, TorchHeader(sysInfo: sysInfo, storageKeys: keys.items))
    }

    /// Loads a small plain or bzip2-compressed pickle already in memory (e.g. one NATS architecture file),
    /// keeping the whole memo; bytes after the pickle are an error.
    public static func load(bytes: [UInt8], limits: UnpickleLimits = UnpickleLimits()) throws -> PickleValue {
        let memory = MemoryByteSource(bytes)
        let reader = ByteReader(bytes.starts(with: Array("BZh".utf8)) ? BZ2ByteSource(upstream: memory) : memory)
        let object = try Unpickler(reader: reader, limits: limits).load()
        guard try reader.atEnd() else { throw PickleError.container("unexpected bytes after the pickle at offset \(reader.offset)") }
        return object
    }

    /// Reading to the end also makes libbz2 check the stream's CRC, so a truncated or damaged file is an error.
    private func expectEnd(_ reader: ByteReader) throws {
        guard try reader.atEnd() else {
            throw PickleError.container("\(path): unexpected bytes after the pickle at offset \(reader.offset)")
        }
    }
}
