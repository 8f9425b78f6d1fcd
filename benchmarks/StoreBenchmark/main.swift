// store-benchmark: timings of the benchmark store through the library (release build), printed as JSON lines.
// usage: store-benchmark CSV [--repeats 3] [--queries 100000]
// Run by benchmarks/store.sh next to the pandas peer; see benchmarks/RESULTS.md.
import Foundation
import Store

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s[min(s.count - 1, Int(Double(s.count - 1) * p))]
}

let args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, _ fallback: Int, in args: [String]) -> Int {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}
guard let csv = args.first else {
    FileHandle.standardError.write(Data("usage: store-benchmark CSV [--repeats 3] [--queries 100000]\n".utf8))
    exit(2)
}
let repeats = option("--repeats", 3, in: args)
let queries = option("--queries", 100_000, in: args)
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-benchmark-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }

// 1. Import into a fresh database, `repeats` times.
var importTimes: [Double] = []
var dbPath = ""
for r in 0..<repeats {
    dbPath = dir.appendingPathComponent("import-\(r).sqlite").path
    importTimes.append(try seconds { _ = try BenchmarkStore(path: dbPath).importTable(path: csv) })
}
print(#"{"op":"import_table","median_s":\#(percentile(importTimes, 0.5)),"min_s":\#(importTimes.min()!)}"#)

// 2. Single-architecture queries through the library, random indices from a fixed seed.
let store = try BenchmarkStore(path: dbPath, readOnly: true)
/// A fixed LCG stream of indices, so every run asks the same questions.
struct IndexStream {
    var state: UInt64 = 12345
    mutating func next() -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % 15_625)
    }
}
var indices = IndexStream()
var latencies: [Double] = []
latencies.reserveCapacity(queries)
var checksum = 0.0
for _ in 0..<queries {
    let i = indices.next()
    latencies.append(try seconds {
        checksum += try store.query(arch: i, dataset: "cifar10", hp: 200, split: "ori-test", seed: .mean).accuracy ?? 0
    })
}
print(#"{"op":"query_by_index","p50_us":\#(percentile(latencies, 0.5) * 1e6),"p99_us":\#(percentile(latencies, 0.99) * 1e6),"n":\#(queries),"checksum":\#(checksum)}"#)

// 3. Resolve an arch string, then query.
let archs = try store.architectureStrings()
latencies.removeAll(keepingCapacity: true)
for _ in 0..<(queries / 10) {
    let a = archs[indices.next()]
    latencies.append(try seconds {
        let i = try store.resolveArchitecture(a)
        checksum += try store.query(arch: i, dataset: "cifar100", hp: 200, split: "x-test", seed: .mean).accuracy ?? 0
    })
}
print(#"{"op":"query_by_arch_string","p50_us":\#(percentile(latencies, 0.5) * 1e6),"p99_us":\#(percentile(latencies, 0.99) * 1e6),"n":\#(queries / 10)}"#)

// 4. Best-10 over all architectures.
latencies.removeAll(keepingCapacity: true)
for _ in 0..<50 {
    latencies.append(try seconds {
        _ = try store.scores(dataset: "cifar100", split: "x-test", hp: 200, seed: .mean, limit: 10)
    })
}
print(#"{"op":"top10","p50_ms":\#(percentile(latencies, 0.5) * 1e3),"n":50}"#)
