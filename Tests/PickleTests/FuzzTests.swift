import Support
import Foundation
import Testing
@testable import Pickle

/// Randomly damaged pickles, bzip2 streams and containers must give errors, never crashes, hangs or runaway memory.
/// The defaults keep the suite fast; `benchmarks/fuzz-pickle.sh` reruns these with many more iterations and
/// any seed (environment NB201_FUZZ_ITERATIONS, NB201_FUZZ_SEED).
@Suite struct FuzzTests {
    static let scale = Int(ProcessInfo.processInfo.environment["NB201_FUZZ_ITERATIONS"] ?? "") ?? 1
    static let seed = UInt64(ProcessInfo.processInfo.environment["NB201_FUZZ_SEED"] ?? "") ?? 201

    static let corpus: [[UInt8]] = [
        PickleFixtures.resultsCountP2, PickleFixtures.resultsCountP4, PickleFixtures.scalarsP2, PickleFixtures.scalarsP3,
        PickleFixtures.numpyP2, PickleFixtures.numpyP4, PickleFixtures.sharedP2,
    ]

    /// One random damage: flips, overwrites with interesting bytes, deletions, duplications, truncation.
    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !b.isEmpty else { break }
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: b[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1: b[i] = [0x00, 0xFF, 0x7F, 0x80, 0x28, 0x2E, 0x68, 0x6A, 0x8D, 0x52, 0x62].randomElement(using: &rng)!
            case 2: b.removeSubrange(i..<min(b.count, i + Int.random(in: 1...16, using: &rng)))
            case 3:
                let j = min(b.count, i + Int.random(in: 1...32, using: &rng))
                b.insert(contentsOf: b[i..<j], at: Int.random(in: 0...b.count, using: &rng))
            case 4: b = Array(b.prefix(i))
            default: // a big-endian or little-endian length field gone wild
                for k in i..<min(b.count, i + 8) { b[k] = 0xFF }
            }
        }
        return b
    }

    @Test func mutatedPicklesGiveErrorsNotCrashes() {
        var rng = SeededRandom(seed: Self.seed).fork("pickles")
        var errors = 0
        for n in 0..<(4000 * Self.scale) {
            let bytes = Self.mutate(Self.corpus[n % Self.corpus.count], &rng)
            let keep = try? MemoScan.readSlots(ByteReader(MemoryByteSource(bytes)))
            do {
                _ = try TestSupport.load(bytes, memoReads: keep)
            } catch is PickleError {
                errors += 1
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
        #expect(errors > 1000) // most damage is detected; the rest still decodes to some value
    }

    @Test func truncatedPicklesAlwaysFail() {
        for bytes in Self.corpus {
            for cut in 0..<bytes.count {
                #expect(throws: PickleError.self) { try TestSupport.load(Array(bytes.prefix(cut))) }
            }
        }
    }

    @Test func mutatedBzip2AndContainersGiveErrorsNotCrashes() throws {
        var rng = SeededRandom(seed: Self.seed).fork("containers")
        let object = PickleFixtures.resultsCountP2
        let inputs = [
            TestSupport.bzip2(object), TestSupport.torchLegacy(object), TestSupport.bzip2(TestSupport.torchLegacy(object)),
            TestSupport.storedZip([("archive/data.pkl", object), ("archive/version", [0x33, 0x0A])]),
        ]
        for n in 0..<(400 * Self.scale) {
            let bytes = Self.mutate(inputs[n % inputs.count], &rng)
            let path = try TestSupport.temporaryFile("fuzz-\(n % 8)", bytes)
            do {
                _ = try PickleFile(path: path).load(memo: n % 2 == 0 ? .scanFirst : .keepAll)
            } catch is PickleError {
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
    }
}
