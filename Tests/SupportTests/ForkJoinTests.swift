import Foundation
import Testing
@testable import Support

/// Per-iteration run counts, written from several threads.
private final class RunCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int]
    init(_ n: Int) { counts = Array(repeating: 0, count: n) }
    func record(_ i: Int) { lock.withLock { counts[i] += 1 } }
    var values: [Int] { lock.withLock { counts } }
}

@Suite struct ForkJoinTests {
    /// Every iteration runs once, whether the helper is spinning (back to back) or asleep (after a pause longer
    /// than its spin).
    @Test func everyIterationRunsOnce() {
        let pool = ForkJoin(helpers: 1)
        for (round, iterations) in [1, 2, 3, 7, 64].enumerated() {
            if round == 2 { Thread.sleep(forTimeInterval: 0.01) }
            let runs = RunCounts(iterations)
            pool.forEach(iterations) { runs.record($0) }
            #expect(runs.values == Array(repeating: 1, count: iterations))
        }
    }

    /// A section inside a section, and sections from several threads at once, run on the caller and finish.
    @Test func nestedAndConcurrentSectionsComplete() {
        let pool = ForkJoin(helpers: 1)
        let runs = RunCounts(1)
        pool.forEach(2) { _ in
            pool.forEach(3) { _ in runs.record(0) }
        }
        #expect(runs.values == [6])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<100 { pool.forEach(2) { _ in runs.record(0) } }
        }
        #expect(runs.values == [806])
    }
}
