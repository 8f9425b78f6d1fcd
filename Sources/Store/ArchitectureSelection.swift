import Support
import Foundation

/// Which architectures an evaluation covers: `all`, `non-isomorphic` (one representative per isomorphism class),
/// `sample:N` (N classes drawn with a seeded generator, one representative each), or a file of benchmark indices,
/// arch strings or op codes, one a line. Every evaluator (supernets, proxies) resolves it the same way, so the
/// same seed names the same architectures for all of them.
public enum ArchitectureSelection: Sendable, Equatable, CustomStringConvertible {
    case all
    case nonIsomorphic
    case sample(Int)
    case file(String)

    /// Parses the command-line form; anything that is not a keyword is a file path.
    public init(_ text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("all", 1): self = .all
        case ("non-isomorphic", 1): self = .nonIsomorphic
        case ("sample", 2):
            guard let n = Int(parts[1]), n >= 1 else {
                throw StoreError.noData("invalid architecture selection '\(text)': sample:N needs N >= 1")
            }
            self = .sample(n)
        default: self = .file(text)
        }
    }

    /// Shard `index` of `count` of a resolved selection: every count-th architecture from position index, so
    /// shards are disjoint, cover the selection and stay balanced. Estimates do not depend on the sharding (each
    /// path is evaluated on its own), so shards may run in any order, in any process.
    public static func shard(_ selected: [Int], index: Int, count: Int) -> [Int] {
        precondition((0..<count).contains(index), "shard \(index) of \(count)")
        return selected.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    public var description: String {
        switch self {
        case .all: "all"
        case .nonIsomorphic: "non-isomorphic"
        case .sample(let n): "sample:\(n)"
        case .file(let path): path
        }
    }

    /// The benchmark indices selected, in index order (a file's order for files).
    public func resolve(in store: BenchmarkStore, seed: UInt64) throws -> [Int] {
        switch self {
        case .all:
            guard store.architectureCount > 0 else { throw StoreError.emptyBenchmark }
            return try store.db.rows("SELECT idx FROM architectures ORDER BY idx").map { $0["idx"].int! }
        case .nonIsomorphic:
            return try store.classRepresentatives()
        case .sample(let n):
            let representatives = try store.classRepresentatives()
            guard n <= representatives.count else {
                throw StoreError.invalidValue("sample:\(n) asks for more isomorphism classes than the database holds (\(representatives.count)); use sample:N with N <= \(representatives.count), or non-isomorphic for all of them")
            }
            var rng = SeededRandom(seed: seed).fork("architecture-sample")
            return rng.sample(min(n, representatives.count), from: representatives.count).sorted().map { representatives[$0] }
        case .file(let path):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw StoreError.noData("'\(path)' is neither all, non-isomorphic, sample:N nor a readable file of architectures")
            }
            var indices: [Int] = []
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let item = line.trimmingCharacters(in: .whitespaces)
                guard !item.isEmpty else { continue }
                do { indices.append(try store.resolveArchitecture(item)) } catch let e as StoreError {
                    throw StoreError.csv(path: path, line: i + 1, reason: e.description)
                }
            }
            guard !indices.isEmpty else { throw StoreError.noData("\(path) names no architecture") }
            return indices
        }
    }
}

extension BenchmarkStore {
    /// Benchmark index -> isomorphism class (the benchmark's `unique_str`).
    public func isomorphismClasses() throws -> [Int: String] {
        Dictionary(uniqueKeysWithValues: try db.rows("SELECT idx, iso_class FROM architectures").map { ($0["idx"].int!, $0["iso_class"].string!) })
    }

    /// The lowest benchmark index of every isomorphism class, in index order.
    public func classRepresentatives() throws -> [Int] {
        let rows = try db.rows("SELECT min(idx) AS idx FROM architectures GROUP BY iso_class ORDER BY 1")
        guard !rows.isEmpty else { throw StoreError.emptyBenchmark }
        return rows.map { $0["idx"].int! }
    }
}
