// swift-tools-version:6.0
// nb201: NAS-Bench-201 store, CPU one-shot / K-shot supernets and ranking analysis.
// Module layering (lower never imports higher): see ../shared/design/ARCHITECTURE.md and README.md.
import PackageDescription

/// Library modules are compiled optimised even in debug builds: the test suite trains small networks, imports
/// whole benchmark tables and resamples rankings, which unoptimised Swift runs 20-50x slower.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"])]

/// The rank statistics count bits in 64-bit words in their inner loops; the x86-64 baseline has no popcount
/// instruction (x86-64-v2, every x86 CPU since 2009, has it), so there they are compiled for x86-64-v2.
#if arch(x86_64)
let rankingCodegen: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "nehalem"])]
#else
let rankingCodegen: [SwiftSetting] = optimised
#endif

/// The bzip2 decoder keeps the head of its move-to-front list in a vector register and moves it with a byte
/// shuffle (SSSE3, also part of x86-64-v2).
#if arch(x86_64)
let bzip2Codegen: [CSetting] = [.unsafeFlags(["-O3", "-mssse3"])]
#else
let bzip2Codegen: [CSetting] = [.unsafeFlags(["-O3"])]
#endif

let package = Package(
    name: "nb201",
    platforms: [.macOS(.v15)], // Synchronization.Atomic (Support.ForkJoin)
    products: [
        .executable(name: "nb201", targets: ["nb201"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CBZ2", path: "Sources/CBZ2"),
        .systemLibrary(name: "CDeflate", path: "Sources/CDeflate"),
        // Hand-vectorised C kernels (AVX2/FMA, chosen at run time) for shapes OpenBLAS handles poorly.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // bzip2 decoding for the official benchmark files (libbz2's format, table-driven and with a parallel walk).
        .target(name: "CBZip2", cSettings: bzip2Codegen),
        // zlib streams for the short per-epoch curves of an import (per-curve Huffman codes, no per-call table clear).
        .target(name: "CZlibEncoder", dependencies: ["CDeflate"], cSettings: [.unsafeFlags(["-O3"])]),
        // SHA-256 compression (x86 SHA extensions chosen at run time) for the fingerprints of imported files.
        .target(name: "CSHA256", cSettings: [.unsafeFlags(["-O3"])]),

        // Search space: ops, cell, arch strings, isomorphism, cost model. No SQL, no tensors.
        .target(name: "SearchSpace", swiftSettings: optimised),
        .testTarget(name: "SearchSpaceTests", dependencies: ["SearchSpace", "TestSupport"]),

        // Test helpers: where ../shared/data is, temporary directories.
        .target(name: "TestSupport", dependencies: ["Datasets", "SearchSpace", "Support"], path: "Tests/TestSupport"),

        // The SQLite file: wrapper, schema and migrations, table import, typed queries.
        .target(name: "Store", dependencies: ["CSQLite", "CDeflate", "CZlibEncoder", "CSHA256", "SearchSpace", "Support"], swiftSettings: optimised),
        .testTarget(name: "StoreTests", dependencies: ["Store", "CDeflate", "CZlibEncoder", "CSHA256", "Support", "TestSupport"]),

        // Timings of the store for benchmarks/store.sh.
        .executableTarget(name: "store-benchmark", dependencies: ["Store"], path: "benchmarks/StoreBenchmark"),

        // The lowest layer: the seeded generator every random draw comes from, and progress on stderr.
        .target(name: "Support", swiftSettings: optimised),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport"]),

        // Tensors and layers on plain Float32 buffers, OpenBLAS, optimiser, schedules, seeded RNG. Knows no NAS.
        .target(name: "Engine", dependencies: ["CBLAS", "CKernels", "Support"], swiftSettings: optimised),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Support"]),

        // Networks built from Engine layers: the stand-alone NB201 network, its cell and blocks, the trainer.
        .target(name: "Networks", dependencies: ["Engine", "SearchSpace", "Support"], swiftSettings: optimised),
        .testTarget(name: "NetworksTests", dependencies: ["Networks", "TestSupport", "Support"]),

        // Throughput benchmark of the CPU engine (run in release; benchmarks/engine_vs_torch.sh).
        .executableTarget(name: "engine-benchmark", dependencies: ["Engine", "Networks", "SearchSpace", "CBLAS", "Support"],
                          path: "benchmarks/EngineBenchmark"),

        // Rank statistics (Kendall, Spearman, Pearson, weighted tau, top-k), bootstrap intervals and paired
        // comparisons of estimators. Pure functions; Engine only for the seeded generator.
        .target(name: "Ranking", dependencies: ["Support"], swiftSettings: rankingCodegen),
        .testTarget(name: "RankingTests", dependencies: ["Ranking", "SearchSpace", "Support"]),
        // Times Ranking on the ground truth next to scipy (benchmarks/ranking_bench.sh builds it in release).
        .executableTarget(name: "ranking-benchmark", dependencies: ["Ranking"], path: "benchmarks/RankingBenchmark"),

        // Restricted unpickler, bzip2 streams, torch containers (legacy and zip). Knows no NAS.
        .target(name: "Pickle", dependencies: ["CBZip2"], swiftSettings: optimised),
        .testTarget(name: "PickleTests", dependencies: ["Pickle", "CBZ2", "Support", "TestSupport"]),

        // Official benchmark importers (NATS simple/single file, NB201 .pth) into the Store, and the data-quality facts.
        .target(name: "Importers", dependencies: ["Store", "Pickle", "SearchSpace", "Support"], swiftSettings: optimised),
        .testTarget(name: "ImportersTests", dependencies: ["Importers", "Pickle", "Store", "TestSupport"]),

        // Datasets: CIFAR-10/100 and ImageNet16-120 readers, NB201 splits, augmentation, seeded batching.
        .target(name: "Datasets", dependencies: ["Support", "Pickle", "SearchSpace"], swiftSettings: optimised),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Support", "SearchSpace", "TestSupport"]),
        .executableTarget(
            name: "datasets-benchmark", dependencies: ["Datasets", "Engine", "SearchSpace", "Support"],
            path: "benchmarks/DatasetsBenchmark"),

        // Ranking studies over the store (protocols, subsets, estimator sources) and their tables and reports.
        .target(name: "Reports", dependencies: ["Store", "Ranking", "SearchSpace", "Support"], swiftSettings: optimised),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Ranking", "Store", "TestSupport"]),

        // One-shot and K-shot supernets: weight dictionary, simplex-net, training loop, checkpoints, path evaluation.
        .target(name: "Supernet", dependencies: ["Engine", "Networks", "SearchSpace", "Datasets", "Support"], swiftSettings: optimised),
        .testTarget(name: "SupernetTests", dependencies: ["Supernet", "Engine", "Networks", "SearchSpace", "Datasets", "Support", "TestSupport"]),
        // Step timings of one-shot and K-shot supernets (benchmarks/supernet.sh builds it in release).
        .executableTarget(
            name: "supernet-benchmark", dependencies: ["Supernet", "Engine", "SearchSpace", "Datasets", "Support"],
            path: "benchmarks/SupernetBenchmark"),

        // Stand-alone training of one architecture with the NB201 recipe on a benchmark dataset.
        .target(name: "Training", dependencies: ["Networks", "Datasets", "Engine", "SearchSpace", "Support"], swiftSettings: optimised),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Datasets", "SearchSpace", "Support", "TestSupport"]),

        // Experiments recorded in the store: supernet runs (train, evaluate, resume), zero-cost proxies and
        // reduced-training estimates over the datasets.
        .target(name: "Experiments", dependencies: ["Supernet", "Proxies", "Training", "Store", "Datasets", "SearchSpace", "Engine", "Support"], swiftSettings: optimised),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Supernet", "Store", "Datasets", "SearchSpace", "Engine", "Support", "Training", "TestSupport"]),

        // Zero-cost proxies (synflow, snip, grad_norm, jacob_cov, nwot) of untrained NB201 networks on one batch.
        .target(name: "Proxies", dependencies: ["Networks", "Engine", "SearchSpace", "Datasets", "Support"], swiftSettings: optimised),
        .testTarget(name: "ProxiesTests", dependencies: ["Proxies", "Networks", "Engine", "SearchSpace", "TestSupport", "Support"]),

        // The reference study (one-shot versus K-shot): plan, runner over the experiments, results and report.
        .target(name: "Study", dependencies: ["Experiments", "Importers", "Reports", "Ranking", "Store", "Supernet", "Datasets", "Engine", "SearchSpace", "Support"],
                swiftSettings: optimised),
        .testTarget(name: "StudyTests", dependencies: ["Study", "Experiments", "Store", "Supernet", "SearchSpace", "Datasets", "Support", "TestSupport"]),

        // The command-line program run as a subprocess on generated fixtures (signals, exit codes, bad input).
        .testTarget(name: "CLITests", dependencies: ["nb201", "Store", "TestSupport"]),

        // The command-line program: parse, call a library, print.
        .executableTarget(
            name: "nb201",
            dependencies: [
                "SearchSpace",
                "Engine",
                "Importers",
                "Pickle",
                "Store",
                "Ranking",
                "Reports",
                "Training",
                "Datasets",
                "Supernet",
                "Experiments",
                "Proxies",
                "Study",
                "Support",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
