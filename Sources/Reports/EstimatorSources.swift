import Ranking
import Foundation
import SearchSpace
import Store

/// Where estimator scores come from: a run's estimates, a CSV made by any tool, or a cost baseline.
public enum EstimatorSourceError: Error, CustomStringConvertible, Equatable {
    case csv(path: String, line: Int, reason: String)
    case unknownBaseline(String)

    public var description: String {
        switch self {
        case let .csv(path, line, reason): "\(path), line \(line): \(reason)"
        case let .unknownBaseline(name): "unknown baseline '\(name)'; valid: params, flops"
        }
    }
}

extension BenchmarkStore {
    /// One EstimatorScores per estimator of a run.
    public func estimatorScores(run: RunRecord) throws -> [EstimatorScores] {
        let grouped = Dictionary(grouping: try estimates(run: run.id), by: \.estimator)
        return grouped.keys.sorted().map { name in
            EstimatorScores(name: grouped.count == 1 && name == "supernet" ? run.name : "\(run.name)/\(name)",
                            source: "run \(run.id) (\(run.kind))",
                            scores: Dictionary(uniqueKeysWithValues: grouped[name]!.map { ($0.arch, $0.score) }))
        }
    }

    /// Parameter count or FLOPs of the dataset's network (nb201's exact cost model) as an estimator.
    public func baselineScores(_ name: String, dataset: String) throws -> EstimatorScores {
        guard let column = CostModelColumn(rawValue: name) else { throw EstimatorSourceError.unknownBaseline(name) }
        return EstimatorScores(name: name, source: "cost model", scores: try costModel(column, dataset: dataset))
    }

    /// Scores from a CSV with an `index` or `arch` column (benchmark index, arch string or op codes) and a score
    /// column (`score` by default). Unknown architectures, duplicates, empty or non-finite scores are errors
    /// naming the line: a ranking never silently drops or doubles an architecture.
    public func csvScores(path: String, scoreColumn: String = "score") throws -> EstimatorScores {
        let csv = try CSVReader(path: path)
        let header = csv.header
        guard let keyColumn = header.firstIndex(of: "index") ?? header.firstIndex(of: "arch") else {
            throw EstimatorSourceError.csv(path: path, line: 1, reason: "needs an 'index' or 'arch' column; found \(header.joined(separator: ", "))")
        }
        guard let valueColumn = header.firstIndex(of: scoreColumn) else {
            throw EstimatorSourceError.csv(path: path, line: 1, reason: "no column '\(scoreColumn)' (choose one with --score): found \(header.joined(separator: ", "))")
        }
        var scores: [Int: Double] = [:]
        var firstLine: [Int: Int] = [:]
        for (number, fields) in csv.rows {
            let arch: Int
            do { arch = try resolveArchitecture(fields[keyColumn]) } catch let e as StoreError {
                throw EstimatorSourceError.csv(path: path, line: number, reason: e.description)
            }
            guard let score = Double(fields[valueColumn].trimmingCharacters(in: .whitespaces)), score.isFinite else {
                throw EstimatorSourceError.csv(path: path, line: number, reason: "score '\(fields[valueColumn])' is not a finite number")
            }
            if let earlier = firstLine[arch] {
                throw EstimatorSourceError.csv(path: path, line: number, reason: "architecture \(arch) already scored on line \(earlier)")
            }
            firstLine[arch] = number
            scores[arch] = score
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return EstimatorScores(name: scoreColumn == "score" ? name : "\(name)/\(scoreColumn)", source: "csv \(path)", scores: scores)
    }

    /// The ground-truth column as index -> accuracy, with the choices that were settled.
    public func groundTruth(dataset: String?, split: String?, hp: Int?, seed: SeedPolicy?) throws -> ScoreTable {
        try scores(dataset: dataset, split: split, hp: hp, seed: seed)
    }
}
