// Times the Ranking module on two columns of a ground-truth CSV (benchmarks/ranking_bench.sh runs it next to
// scipy). Usage: ranking-benchmark CSV COLUMN_A COLUMN_B [REPEATS]
import Foundation
import Ranking

struct BenchError: Error, CustomStringConvertible {
    var description: String
}

func readColumns(_ path: String, _ names: [String]) throws -> [[Double]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let columns = try names.map { name in
        guard let c = header.firstIndex(of: name) else { throw BenchError(description: "\(path): no column \(name)") }
        return c
    }
    var values = names.map { _ in [Double]() }
    for (row, line) in lines.enumerated() {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        for (j, c) in columns.enumerated() {
            guard c < fields.count, let v = Double(fields[c]) else {
                throw BenchError(description: "\(path) row \(row + 2): column \(names[j]) is not a number")
            }
            values[j].append(v)
        }
    }
    return values
}

/// CPU seconds used by this process so far, all threads (unlike wall time, not inflated by other load).
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Median and minimum wall seconds of `repeats` calls, and the mean CPU seconds per call.
func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> (median: Double, min: Double, cpu: Double) {
    var seconds: [Double] = []
    let cpuStart = processCPUSeconds()
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        seconds.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }
    let cpu = (processCPUSeconds() - cpuStart) / Double(repeats)
    seconds.sort()
    return (seconds[seconds.count / 2], seconds[0], cpu)
}

let args = CommandLine.arguments
guard args.count >= 4 else {
    FileHandle.standardError.write("usage: ranking-benchmark CSV COLUMN_A COLUMN_B [REPEATS]\n".data(using: .utf8)!)
    exit(2)
}
let repeats = args.count > 4 ? Int(args[4]) ?? 200 : 200
let columns = try readColumns(args[1], [args[2], args[3]])
let (a, b) = (columns[0], columns[1])

var tau = CorrelationResult(statistic: 0, pValue: 0)
let kendall = try time(repeats) { tau = try kendallTau(a, b) }
print(String(format: "swift kendalltau_b n=%d tau=%.15f p=%.6e median_ms=%.3f min_ms=%.3f cpu_ms=%.3f",
             a.count, tau.statistic, tau.pValue, kendall.median * 1e3, kendall.min * 1e3, kendall.cpu * 1e3))

let metrics: [RankingMetric] = [.kendallTau(.b), .spearman, .precisionAtTop(k: 100), .bestTrueRankInTop(k: 100)]
var intervals: [BootstrapInterval] = []
let boot = try time(3) {
    intervals = try bootstrapIntervals(predicted: a, truth: b, metrics: metrics, resamples: 1000, seed: 1)
}
print(String(format: "swift bootstrap resamples=1000 metrics=tau_b+spearman+top100 median_s=%.3f min_s=%.3f cpu_s=%.3f",
             boot.median, boot.min, boot.cpu))
for (metric, interval) in zip(metrics, intervals) {
    print(String(format: "  %@ %.4f [%.4f, %.4f]", metric.description, interval.estimate, interval.lower, interval.upper))
}
