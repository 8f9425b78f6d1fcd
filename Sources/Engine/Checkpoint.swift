import Foundation

/// What can go wrong reading or writing a training checkpoint.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case configurationMismatch(path: String, differences: [String])
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let why): "cannot read checkpoint \(path): \(why)"
        case .corrupt(let path, let why):
            "checkpoint \(path) is corrupt or truncated (\(why)); delete it to start over or restore a good copy"
        case .configurationMismatch(let path, let diffs):
            "checkpoint \(path) belongs to another configuration (\(diffs.joined(separator: "; "))); resume with the same settings or use another checkpoint path"
        case .writeFailed(let path, let why): "cannot write checkpoint \(path): \(why)"
        }
    }
}

/// A training state on disk: an 8-byte magic, the configuration as JSON (UInt32 length first), `counterCount`
/// UInt64 counters (e.g. epochs and batches done), then every state tensor as a UInt64 float count followed by its
/// little-endian Float32 values, and last a 64-bit FNV-1a hash of all bytes before it. Written atomically (a
/// temporary file renamed over the old one); read back only after every check passed, so a bad file changes nothing.
public struct CheckpointFormat<Configuration: Codable & Equatable>: Sendable {
    public let magic: [UInt8]
    public let counterCount: Int

    public init(magic: String, counterCount: Int) {
        precondition(magic.utf8.count == 8, "a checkpoint magic is 8 bytes")
        self.magic = Array(magic.utf8)
        self.counterCount = counterCount
    }

    public func write(to path: String, configuration: Configuration, counters: [UInt64], tensors: [Tensor]) throws(CheckpointError) {
        precondition(counters.count == counterCount)
        var bytes = magic
        let json: Data
        do { json = try Self.encoder.encode(configuration) } catch {
            throw .writeFailed(path: path, reason: "encoding the configuration: \(error)")
        }
        append(UInt32(json.count), to: &bytes)
        bytes += json
        for c in counters { append(c, to: &bytes) }
        for t in tensors {
            append(UInt64(t.count), to: &bytes)
            bytes += UnsafeRawBufferPointer(start: t.data, count: t.count * 4)
        }
        append(fnv1a(bytes[...]), to: &bytes)
        let temporary = path + ".partial"
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw .writeFailed(path: temporary, reason: "\(error)")
        }
        guard rename(temporary, path) == 0 else {
            throw .writeFailed(path: path, reason: "renaming \(temporary) failed (errno \(errno))")
        }
    }

    /// The file's configuration, after checking its header and checksum.
    public func configuration(in path: String) throws(CheckpointError) -> Configuration {
        try open(path).configuration
    }

    /// Restores `tensors` from the file, which must hold `expected` as its configuration and tensors of exactly their
    /// sizes; `check` may refuse the counters (throwing `.corrupt`). Returns the counters.
    public func load(from path: String, expected: Configuration, into tensors: [Tensor],
                     check: ([UInt64]) throws(CheckpointError) -> Void = { _ throws(CheckpointError) in }) throws(CheckpointError) -> [UInt64] {
        let (bytes, stored, headerEnd) = try open(path)
        if stored != expected { throw .configurationMismatch(path: path, differences: Self.fieldDifferences(stored, expected)) }
        let bodyEnd = bytes.count - 8
        var at = headerEnd
        let counters = (0..<counterCount).map { read(UInt64.self, bytes, at: at + 8 * $0) }
        at += 8 * counterCount
        try check(counters)
        var offsets: [Int] = []
        for (n, t) in tensors.enumerated() {
            guard at + 8 <= bodyEnd, Int(read(UInt64.self, bytes, at: at)) == t.count, at + 8 + 4 * t.count <= bodyEnd else {
                throw .corrupt(path: path, reason: "state tensor \(n) is missing or has the wrong size (expected \(t.count) floats)")
            }
            offsets.append(at + 8)
            at += 8 + 4 * t.count
        }
        guard at == bodyEnd else { throw .corrupt(path: path, reason: "\(bodyEnd - at) unexpected bytes after the last tensor") }
        bytes.withUnsafeBytes { raw in
            for (t, offset) in zip(tensors, offsets) {
                UnsafeMutableRawPointer(t.data).copyMemory(from: raw.baseAddress! + offset, byteCount: 4 * t.count)
            }
        }
        return counters
    }

    private func open(_ path: String) throws(CheckpointError) -> (bytes: [UInt8], configuration: Configuration, headerEnd: Int) {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        let name = String(decoding: magic, as: UTF8.self)
        guard bytes.count >= 8 + 4 + 8 * counterCount + 8, Array(bytes[0..<8]) == magic else {
            throw .corrupt(path: path, reason: "it does not start with the \(name) header")
        }
        let body = bytes[0..<(bytes.count - 8)]
        guard read(UInt64.self, bytes, at: bytes.count - 8) == fnv1a(body) else {
            throw .corrupt(path: path, reason: "its checksum does not match its contents")
        }
        let jsonLength = Int(read(UInt32.self, bytes, at: 8))
        guard 12 + jsonLength + 8 * counterCount <= body.count else {
            throw .corrupt(path: path, reason: "the configuration runs past the end")
        }
        do {
            let configuration = try JSONDecoder().decode(Configuration.self, from: Data(bytes[12..<(12 + jsonLength)]))
            return (bytes, configuration, 12 + jsonLength)
        } catch {
            throw .corrupt(path: path, reason: "unreadable configuration: \(error)")
        }
    }

    private static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }

    /// "field: checkpoint X, this run Y" for every top-level configuration field that differs.
    public static func fieldDifferences(_ stored: Configuration, _ current: Configuration) -> [String] {
        func fields(_ c: Configuration) -> [String: String] {
            guard let data = try? encoder.encode(c),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return object.mapValues { value in
                (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                    .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
            }
        }
        let a = fields(stored), b = fields(current)
        return Set(a.keys).union(b.keys).sorted().compactMap { key in
            a[key] == b[key] ? nil : "\(key): checkpoint \(a[key] ?? "absent"), this run \(b[key] ?? "absent")"
        }
    }
}

private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
}

private func read<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
    var value: T = 0
    withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset..<(offset + MemoryLayout<T>.size)]) }
    return T(littleEndian: value)
}

private func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    bytes.withUnsafeBufferPointer { p in for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 } }
    return h
}
