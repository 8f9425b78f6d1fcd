import Foundation

/// Named float32 tensors of data/fixtures/proxies_golden.bin (format in benchmarks/make_proxy_fixture.py).
struct GoldenFixture {
    var tensors: [String: (shape: [Int], values: [Float])] = [:]

    struct Malformed: Error, CustomStringConvertible {
        let why: String, at: Int
        var description: String { "proxies_golden.bin malformed at byte \(at): \(why); regenerate it with benchmarks/make_proxy_fixture.py" }
    }

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/fixtures/proxies_golden.bin")

    init() throws {
        let bytes = [UInt8](try Data(contentsOf: GoldenFixture.url))
        var at = 0
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard at + n <= bytes.count else { throw Malformed(why: "needs \(n) more bytes", at: at) }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func uint(_ n: Int) throws -> Int { try take(n).reversed().reduce(0) { $0 << 8 | Int($1) } }
        guard Array(try take(8)) == Array("NB201FX1".utf8) else { throw Malformed(why: "bad magic", at: 0) }
        for _ in 0..<(try uint(4)) {
            let name = String(decoding: try take(try uint(2)), as: UTF8.self)
            var shape: [Int] = []
            for _ in 0..<(try uint(1)) { shape.append(try uint(4)) }
            var values: [Float] = []
            for _ in 0..<shape.reduce(1, *) { values.append(Float(bitPattern: UInt32(try uint(4)))) }
            tensors[name] = (shape, values)
        }
    }

    func values(_ name: String) throws -> [Float] {
        guard let t = tensors[name] else { throw Malformed(why: "no tensor '\(name)'", at: 0) }
        return t.values
    }

    /// A score stored as a float32 (high, remainder) pair.
    func score(_ name: String) throws -> Double {
        let pair = try values(name)
        return Double(pair[0]) + Double(pair[1])
    }
}
