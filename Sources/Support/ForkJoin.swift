import Foundation
import Synchronization

/// Fork-join for parallel sections of tens to hundreds of microseconds (a Kendall tau call, one layer of a
/// training step), over persistent helper threads that spin for a short while for the next job before they
/// sleep. Why not `DispatchQueue.concurrentPerform`: on the 2-vCPU VM a sleeping worker took about 50 us to
/// wake, a quarter of a Kendall call, and it varied from process to process; here back-to-back sections
/// start at once (benchmarks/results/ranking.md).
public final class ForkJoin: @unchecked Sendable {
    /// One helper per core this process may run on beyond the caller's: under `taskset -c 0` (or a one-core Slurm
    /// task) there are none and sections run serially, instead of a helper polling on the caller's own core.
    public static let shared = ForkJoin(helpers: max(0, usableCores() - 1))

    /// The cores in this process's affinity mask, from Linux's `Cpus_allowed` (hex words); the online count where it
    /// cannot be read. (Foundation's count ignores the mask; Glibc's module does not export sched_getaffinity.)
    static func usableCores() -> Int {
        let online = ProcessInfo.processInfo.activeProcessorCount
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return online }
        let allowed = line.dropFirst("Cpus_allowed:".count).split(separator: ",")
            .reduce(0) { $0 + (UInt32($1.trimmingCharacters(in: .whitespaces), radix: 16)?.nonzeroBitCount ?? 0) }
        return allowed > 0 ? min(allowed, online) : online
    }

    private let helpers: [Helper]
    /// Held by the one caller whose section owns the helpers.
    private let claimed = Atomic<Bool>(false)

    /// Threads a section can run on: the helpers and the caller.
    public var threads: Int { helpers.count + 1 }

    /// `count` helper threads, which live as long as the process.
    init(helpers count: Int) {
        helpers = (0..<count).map { _ in Helper() }
    }

    /// Runs `body(i)` for every i in 0..<iterations and returns when all are done. Iteration i runs on
    /// thread i % threads (the caller is thread 0), so a body that writes disjoint data per iteration needs no
    /// locks. When the helpers are busy (a nested section, or another thread's) or there are none, the caller
    /// runs every iteration itself.
    public func forEach(_ iterations: Int, _ body: (Int) -> Void) {
        let threads = min(iterations, self.threads)
        guard threads > 1,
              claimed.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<iterations { body(i) }
            return
        }
        defer { claimed.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            let share = { (thread: Int) in
                for i in stride(from: thread, to: iterations, by: threads) { body(i) }
            }
            for thread in 1..<threads { helpers[thread - 1].post { share(thread) } }
            share(0)
            for thread in 1..<threads { helpers[thread - 1].waitUntilDone() }
        }
    }
}

/// A thread that runs one posted job at a time. Both sides wait the same way: poll the state word for
/// `spinNanoseconds` (so back-to-back sections hand over at once), then sleep on `condition` (so a long
/// section or a long pause keeps no core busy).
private final class Helper: @unchecked Sendable {
    private static let idle = 0, posted = 1, done = 2
    private static let spinNanoseconds: UInt64 = 200_000

    /// The word both sides poll, alone on a 128-byte block: on a line shared with data the caller writes in
    /// its own loops, every poll would pull that line away from the caller (false sharing).
    private let state: UnsafeMutablePointer<Atomic<Int>>
    private var job: (() -> Void)?
    private let condition = NSCondition()
    /// How many sides sleep on `condition` (guarded by it).
    private var sleepers = 0

    init() {
        state = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 128).bindMemory(to: Atomic<Int>.self, capacity: 1)
        state.initialize(to: Atomic(Self.idle))
        // The thread keeps its helper alive: both live as long as the process (a pool is made once).
        let thread = Thread { self.serve() }
        thread.name = "nb201-forkjoin"
        thread.start()
    }

    func post(_ work: @escaping () -> Void) {
        job = work
        set(Self.posted)
    }

    func waitUntilDone() {
        wait(for: Self.done)
        state.pointee.store(Self.idle, ordering: .relaxed)
    }

    private func serve() {
        while true {
            wait(for: Self.posted)
            job!()
            job = nil
            set(Self.done)
        }
    }

    /// Sets the state and wakes the other side if it sleeps.
    private func set(_ value: Int) {
        condition.lock()
        state.pointee.store(value, ordering: .releasing)
        if sleepers > 0 { condition.broadcast() }
        condition.unlock()
    }

    /// Returns once the state is `value`.
    private func wait(for value: Int) {
        let start = DispatchTime.now().uptimeNanoseconds
        var polls = 0
        while state.pointee.load(ordering: .acquiring) != value {
            polls &+= 1
            guard polls & 63 == 0, DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds else { continue }
            condition.lock()
            sleepers += 1
            while state.pointee.load(ordering: .acquiring) != value { condition.wait() }
            sleepers -= 1
            condition.unlock()
            return
        }
    }
}
