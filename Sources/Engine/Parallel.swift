import CBLAS
import Dispatch

/// How the engine uses the machine's cores. Two strategies compete for small convolution shapes:
/// split the batch over our own threads with single-threaded OpenBLAS (`.batchSplit`), or hand whole
/// GEMMs to OpenBLAS's thread pool (`.blasThreads`). benchmarks/results/engine.md has the measurements.
public enum Threading: Sendable, Equatable {
    case batchSplit(workers: Int)
    case blasThreads(Int)
}

/// Process-wide engine configuration. Set it once before training (not from several threads).
public enum EngineConfig {
    nonisolated(unsafe) private static var current: Threading = .batchSplit(workers: 2)

    public static var threading: Threading {
        get { current }
        set {
            current = newValue
            switch newValue {
            case .batchSplit: openblas_set_num_threads(1)
            case .blasThreads(let n): openblas_set_num_threads(Int32(n))
            }
        }
    }

    /// Number of our own workers layers may split work over.
    public static var workers: Int {
        if case .batchSplit(let w) = current { return max(1, w) }
        return 1
    }

    /// Applies the default threading (OpenBLAS starts with its own thread count until told otherwise).
    public static func activate() { threading = current }
}

/// Runs `body(range, worker)` over `0..<count` split into at most `EngineConfig.workers` contiguous ranges,
/// one per worker; runs inline when there is one worker or too little work (`minimumPerWorker`).
@inline(__always)
public func parallelRanges(_ count: Int, minimumPerWorker: Int = 1, _ body: (Range<Int>, Int) -> Void) {
    let workers = min(EngineConfig.workers, max(1, count / max(1, minimumPerWorker)))
    if workers <= 1 {
        if count > 0 { body(0..<count, 0) }
        return
    }
    // Workers touch disjoint ranges; the closure does not outlive this call.
    withoutActuallyEscaping(body) { escapable in
        nonisolated(unsafe) let work = escapable
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = count * w / workers, hi = count * (w + 1) / workers
            if hi > lo { work(lo..<hi, w) }
        }
    }
}
