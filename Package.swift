// swift-tools-version:6.0
// nb201: NAS-Bench-201 store, CPU one-shot / K-shot supernets and ranking analysis.
// Module layering (lower never imports higher): see ../shared/design/ARCHITECTURE.md and README.md.
import PackageDescription

let package = Package(
    name: "nb201",
    platforms: [.macOS(.v13)],
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

        // Search space: ops, cell, arch strings, isomorphism, cost model. No SQL, no tensors.
        .target(name: "SearchSpace"),
        .testTarget(name: "SearchSpaceTests", dependencies: ["SearchSpace"]),

        // The SQLite file: wrapper, schema and migrations, table import, typed queries.
        .target(name: "Store", dependencies: ["CSQLite", "SearchSpace"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),

        // Tensors and layers on plain Float32 buffers, OpenBLAS, optimiser, schedules, seeded RNG. Knows no NAS.
        .target(name: "Engine", dependencies: ["CBLAS"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"]),

        // Restricted unpickler, bzip2 streams, torch containers (legacy and zip). Knows no NAS.
        .target(name: "Pickle", dependencies: ["CBZ2"]),
        .testTarget(name: "PickleTests", dependencies: ["Pickle", "CBZ2", "Engine"]),

        // Official benchmark importers (NATS simple/single file, NB201 .pth) into the Store, and the data-quality facts.
        .target(name: "Importers", dependencies: ["Store", "Pickle", "SearchSpace"]),
        .testTarget(name: "ImportersTests", dependencies: ["Importers", "Pickle", "Store"]),

        // The command-line program: parse, call a library, print.
        .executableTarget(
            name: "nb201",
            dependencies: [
                "SearchSpace",
                "Importers",
                "Pickle",
                "Store",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
