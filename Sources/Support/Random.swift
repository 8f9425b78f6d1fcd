/// The project's seeded random generator: xoshiro256** seeded through SplitMix64.
/// Every random draw of a run (initialisation, sampling, shuffling, augmentation) comes from one of these,
/// so a run is reproducible from its seed. Independent streams come from `fork(_:)`, which derives a child
/// seed from the parent's seed and a label, without consuming the parent's draws.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(&sm), splitMix(&sm), splitMix(&sm), splitMix(&sm))
    }

    /// A generator for a named sub-stream (e.g. "init", "sampling", "augment"), independent of this one's draws.
    public func fork(_ label: String) -> SeededRandom {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 // FNV-1a over the label, mixed with the seed
        for b in label.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return SeededRandom(seed: seed ^ h)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = SeededRandom.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform integer in 0..<bound (unbiased).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next(upperBound: UInt64(bound)))
    }

    /// Standard normal draw (Box-Muller, one value per call for a simple, reproducible stream).
    public mutating func nextGaussian() -> Float {
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// Fisher-Yates shuffle driven by this generator (the standard library's order is not specified).
    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, nextInt(below: i + 1))
        }
    }

    /// `count` distinct indices from 0..<n, in draw order (partial Fisher-Yates).
    public mutating func sample(_ count: Int, from n: Int) -> [Int] {
        precondition(count <= n)
        var pool = Array(0..<n)
        for i in 0..<count { pool.swapAt(i, i + nextInt(below: n - i)) }
        return Array(pool[0..<count])
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
