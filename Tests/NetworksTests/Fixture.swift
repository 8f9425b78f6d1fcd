import Foundation
import Testing
@testable import Engine

/// Named float32 tensors from a fixture file written by benchmarks/golden_nb201_fixture.py (format there).
struct Fixture {
    var tensors: [String: (shape: [Int], values: [Float])] = [:]

    enum LoadError: Error, CustomStringConvertible {
        case malformed(String, at: Int)
        var description: String {
            switch self {
            case .malformed(let why, let at): "golden fixture malformed at byte \(at): \(why); regenerate it with benchmarks/golden_nb201_fixture.py"
            }
        }
    }

    /// data/fixtures/<name> relative to the package root.
    static func url(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("data/fixtures/\(name)")
    }

    init(contentsOf url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        var at = 0
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard at + n <= bytes.count else { throw LoadError.malformed("needs \(n) more bytes", at: at) }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func uint(_ n: Int) throws -> Int { try take(n).reversed().reduce(0) { $0 << 8 | Int($1) } }
        guard Array(try take(8)) == Array("NB201FX1".utf8) else { throw LoadError.malformed("bad magic", at: 0) }
        for _ in 0..<(try uint(4)) {
            let name = String(decoding: try take(try uint(2)), as: UTF8.self)
            let rank = try uint(1)
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(try uint(4)) }
            let count = shape.reduce(1, *)
            let raw = try take(4 * count)
            var values = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let b = raw.startIndex + 4 * i
                values[i] = Float(bitPattern: UInt32(raw[b]) | UInt32(raw[b + 1]) << 8 | UInt32(raw[b + 2]) << 16 | UInt32(raw[b + 3]) << 24)
            }
            tensors[name] = (shape, values)
        }
    }

    subscript(_ name: String) -> [Float] {
        guard let t = tensors[name] else { Issue.record("fixture has no tensor '\(name)'"); return [] }
        return t.values
    }
}

/// Largest |a - b| relative to the largest |b| of the tensor (norm-wise relative error); a reference that is
/// structurally zero (e.g. the bias of a BN whose output only feeds another BN) is compared against 1e-3.
func relativeError(_ a: [Float], _ b: [Float]) -> Double {
    guard a.count == b.count, !b.isEmpty else { return .infinity }
    let scale = max(b.map { abs(Double($0)) }.max()!, 1e-3)
    return zip(a, b).map { abs(Double($0) - Double($1)) }.max()! / scale
}
