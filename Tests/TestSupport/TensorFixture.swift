import Foundation

/// Named float32 tensors from a committed golden file under data/fixtures, written by a PyTorch script in
/// data/fixtures/generate/ (golden_nb201_fixture.py, make_proxy_fixture.py): "NB201FX1", a UInt32 tensor count, then per
/// tensor a UInt16-length name, a UInt8 rank, UInt32 dims and little-endian float32 values.
public struct TensorFixture {
    public private(set) var tensors: [String: (shape: [Int], values: [Float])] = [:]

    public struct Malformed: Error, CustomStringConvertible {
        public let file: String, why: String, at: Int
        public var description: String { "\(file) malformed at byte \(at): \(why); regenerate it with its script in data/fixtures/generate/" }
    }

    /// Reads data/fixtures/`name` of this package.
    public init(named name: String) throws {
        let url = SharedData.packageRoot.appendingPathComponent("data/fixtures/\(name)")
        let bytes = [UInt8](try Data(contentsOf: url))
        var at = 0
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard at + n <= bytes.count else { throw Malformed(file: name, why: "needs \(n) more bytes", at: at) }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func uint(_ n: Int) throws -> Int { try take(n).reversed().reduce(0) { $0 << 8 | Int($1) } }
        guard Array(try take(8)) == Array("NB201FX1".utf8) else { throw Malformed(file: name, why: "bad magic", at: 0) }
        for _ in 0..<(try uint(4)) {
            let tensorName = String(decoding: try take(try uint(2)), as: UTF8.self)
            var shape: [Int] = []
            for _ in 0..<(try uint(1)) { shape.append(try uint(4)) }
            let raw = try take(4 * shape.reduce(1, *))
            let values = stride(from: raw.startIndex, to: raw.endIndex, by: 4).map { b in
                Float(bitPattern: UInt32(raw[b]) | UInt32(raw[b + 1]) << 8 | UInt32(raw[b + 2]) << 16 | UInt32(raw[b + 3]) << 24)
            }
            tensors[tensorName] = (shape, values)
        }
    }

    public func values(_ name: String) throws -> [Float] {
        guard let t = tensors[name] else { throw Malformed(file: "fixture", why: "no tensor '\(name)'", at: 0) }
        return t.values
    }

    /// A float64 score stored as a float32 (high, remainder) pair.
    public func score(_ name: String) throws -> Double {
        let pair = try values(name)
        return Double(pair[0]) + Double(pair[1])
    }
}
