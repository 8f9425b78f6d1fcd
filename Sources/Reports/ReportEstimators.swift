import Ranking
import Foundation
import Store

/// Where an estimator's scores were read, precisely enough for another tool (the report's notebook) to read
/// them again from the database or the CSV file.
public struct EstimatorOrigin: Sendable, Codable, Equatable {
    /// `run`, `csv` or `baseline`.
    public var kind: String
    public var runID: Int?
    public var estimator: String?
    public var path: String?
    public var column: String?
    public var baseline: String?

    public static func run(_ id: Int, estimator: String) -> Self { .init(kind: "run", runID: id, estimator: estimator) }
    public static func csv(_ path: String, column: String) -> Self { .init(kind: "csv", path: path, column: column) }
    public static func baseline(_ name: String) -> Self { .init(kind: "baseline", baseline: name) }

    enum CodingKeys: String, CodingKey {
        case kind, estimator, path, column, baseline
        case runID = "run_id"
    }
}

/// An estimator's scores with their origin.
public struct ReportEstimator: Sendable {
    public var scores: EstimatorScores
    public var origin: EstimatorOrigin

    public init(scores: EstimatorScores, origin: EstimatorOrigin) {
        self.scores = scores
        self.origin = origin
    }
}

/// The estimators a ranking or report compares: runs (id or name), CSV files, cost baselines, in that order.
public struct EstimatorSelection: Sendable, Equatable {
    public var runs: [String]
    public var csvFiles: [String]
    public var scoreColumn: String
    public var baselines: [String]

    public init(runs: [String] = [], csvFiles: [String] = [], scoreColumn: String = "score", baselines: [String] = []) {
        self.runs = runs
        self.csvFiles = csvFiles
        self.scoreColumn = scoreColumn
        self.baselines = baselines
    }

    public var isEmpty: Bool { runs.isEmpty && csvFiles.isEmpty && baselines.isEmpty }

    /// Reads every selected estimator; baselines are the cost model of `dataset` (the ground truth's dataset).
    public func load(from store: BenchmarkStore, dataset: String) throws -> [ReportEstimator] {
        var out: [ReportEstimator] = []
        for r in runs {
            let run = try store.run(named: r)
            for scores in try store.estimatorScores(run: run) {
                // estimatorScores names a run's only `supernet` estimator after the run, others "<run>/<estimator>".
                let estimator = scores.name == run.name ? "supernet" : String(scores.name.dropFirst(run.name.count + 1))
                out.append(ReportEstimator(scores: scores, origin: .run(run.id, estimator: estimator)))
            }
        }
        for file in csvFiles {
            let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
            out.append(ReportEstimator(scores: try store.csvScores(path: absolute, scoreColumn: scoreColumn),
                                       origin: .csv(absolute, column: scoreColumn)))
        }
        for name in baselines {
            out.append(ReportEstimator(scores: try store.baselineScores(name, dataset: dataset), origin: .baseline(name)))
        }
        return out
    }
}
