import CBLAS
import CKernels
import Support

/// How the engine uses the machine's cores. Two strategies compete for small convolution shapes:
/// split the batch over our own threads with single-threaded OpenBLAS (`.batchSplit`), or hand whole
/// GEMMs to OpenBLAS's thread pool (`.blasThreads`). benchmarks/results/engine.md has the measurements.
public enum Threading: Sendable, Equatable {
    case batchSplit(workers: Int)
    case blasThreads(Int)
}

/// How stride-1 convolutions are computed: im2col + sgemm, or the direct kernels of CKernels compiled for AVX2
/// + FMA or for AVX-512VL (same 8-float vectors, 32 registers for larger tiles). Raw values are CKernels' NB_ISA_*.
public enum ConvolutionKernels: Int, Comparable, Sendable, CaseIterable {
    case im2col = 0, avx2 = 1, avx512 = 2
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Process-wide engine configuration. Set it once before training (not from several threads).
/// The default splits batches over one worker per `ForkJoin` thread (one per core) with single-threaded OpenBLAS,
/// the faster strategy on the 2-core machine (benchmarks/results/engine.md).
public enum EngineConfig {
    nonisolated(unsafe) private static var current: Threading = .batchSplit(workers: ForkJoin.shared.threads)
    /// OpenBLAS starts with its own thread count; the default strategy needs it at 1 before the first GEMM.
    private static let appliedDefault: Void = apply(.batchSplit(workers: ForkJoin.shared.threads))

    public static var threading: Threading {
        get { current }
        set {
            _ = appliedDefault
            current = newValue
            apply(newValue)
        }
    }

    private static func apply(_ t: Threading) {
        switch t {
        case .batchSplit: openblas_set_num_threads(1)
        case .blasThreads(let n): openblas_set_num_threads(Int32(n))
        }
    }

    /// The best convolution kernels this CPU runs.
    public static let availableConvolutionKernels = ConvolutionKernels(rawValue: Int(nb_direct_conv_isa())) ?? .im2col
    /// Bound lower (`EngineConfig.$convolutionKernelLimit.withValue(.im2col) { ... }`), the convolutions called
    /// inside use at most those kernels: tests and benchmarks compare them without changing other callers.
    /// The default, the highest, is no limit.
    @TaskLocal public static var convolutionKernelLimit = ConvolutionKernels.avx512
    /// The kernels the direct-capable convolutions run on: the better of the CPU's and the limit.
    public static var convolutionKernels: ConvolutionKernels { min(availableConvolutionKernels, convolutionKernelLimit) }

    /// Number of our own workers layers may split work over.
    public static var workers: Int {
        _ = appliedDefault
        if case .batchSplit(let w) = current { return max(1, w) }
        return 1
    }
}

/// Runs `body(range, worker)` over `0..<count` split into at most `workers` contiguous ranges, one per
/// worker (worker < workers); runs inline when there is one worker or too little work (`minimumPerWorker`).
/// Kernels that size per-worker scratch read `EngineConfig.workers` once and pass the same value here.
@inline(__always)
public func parallelRanges(_ count: Int, workers maximum: Int = EngineConfig.workers, minimumPerWorker: Int = 1,
                           _ body: (Range<Int>, Int) -> Void) {
    let workers = min(maximum, max(1, count / max(1, minimumPerWorker)))
    if workers <= 1 {
        if count > 0 { body(0..<count, 0) }
        return
    }
    // Workers touch disjoint ranges. ForkJoin, not a dispatch queue: a layer's section is short, and a
    // sleeping dispatch worker took ~50 us to wake on the 2-vCPU VM.
    ForkJoin.shared.forEach(workers) { w in
        let lo = count * w / workers, hi = count * (w + 1) / workers
        if hi > lo { body(lo..<hi, w) }
    }
}
