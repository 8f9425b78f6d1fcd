import Foundation
import SearchSpace
import Store

/// Writes `ArchRecord`s of one source into the store through the Store's `BenchmarkWriter` (call inside a
/// transaction): trials, final results, curves and the source's costs; a value another source already stored must
/// agree (the Store's rule).
final class RecordWriter {
    let store: BenchmarkStore
    let sourceID: Int
    private let writer: BenchmarkWriter
    private(set) var counts = ["architectures": 0, "trials": 0, "results": 0, "curves": 0]
    /// Trials whose record spells its seed differently from the key (the official '0777' for 777).
    private(set) var normalisedSeeds: [String: Int] = [:]

    init(store: BenchmarkStore, sourceID: Int) throws {
        self.store = store
        self.sourceID = sourceID
        writer = try store.writer()
    }

    /// Adds an architecture listed by a meta file (no records).
    func addArchitecture(index: Int, archString: String, context: String) throws {
        let cell: Cell
        do { cell = try Cell(archString: archString) } catch {
            throw RecordError(context: context, reason: "arch string \(archString): \(error)")
        }
        try writer.addArchitecture(index: index, cell: cell)
    }

    func write(_ record: ArchRecord, context: String) throws {
        try addArchitecture(index: record.index, archString: record.archString, context: context)
        counts["architectures", default: 0] += 1
        var costByDataset: [String: TrialRecord] = [:]
        for trial in record.trials {
            let row = try writer.trial(arch: record.index, dataset: trial.dataset, hp: trial.hp, seed: trial.seed,
                                       source: sourceID, params: trial.params, flops: trial.flops, latency: trial.latency)
            if row.created { counts["trials", default: 0] += 1 }
            if trial.recordedSeed != trial.seed { normalisedSeeds["'\(trial.recordedSeed)' -> '\(trial.seed)'", default: 0] += 1 }
            for final in trial.finals {
                if try writer.addResult(trial: row, split: final.split, epoch: final.epoch, accuracy: final.accuracy,
                                        loss: final.loss, time: final.time,
                                        context: "\(context) \(trial.dataset) hp \(trial.hp) seed \(trial.seed)") {
                    counts["results", default: 0] += 1
                }
            }
            for curve in trial.curves {
                try writer.addCurve(trial: row, split: curve.split, metric: curve.metric, curve: curve.encoded)
                if store.db.changes > 0 { counts["curves", default: 0] += 1 }
            }
            try noteCostDisagreement(trial, against: costByDataset[trial.dataset], arch: record.index)
            if costByDataset[trial.dataset] == nil { costByDataset[trial.dataset] = trial }
        }
        for (dataset, trial) in costByDataset.sorted(by: { $0.key < $1.key }) {
            guard let params = trial.params, let flops = trial.flops else { continue }
            try writer.addCost(arch: record.index, dataset: dataset, origin: "source:\(sourceID)", paramsM: params,
                               flopsM: flops, latency: trial.latency)
        }
    }

    /// Parameters and FLOPs are properties of the network, so every seed should state the same ones.
    private func noteCostDisagreement(_ trial: TrialRecord, against first: TrialRecord?, arch: Int) throws {
        guard let first else { return }
        for (name, a, b) in [("params", first.params, trial.params), ("flops", first.flops, trial.flops)] {
            if let a, let b, abs(a - b) > 1e-9 * max(1, abs(a)) {
                try store.addNote(source: sourceID, arch: arch,
                                  "\(trial.dataset) hp \(trial.hp): \(name) \(b) for seed \(trial.seed) but \(a) for seed \(first.seed)")
            }
        }
    }

    /// Writes the summary notes, row counts and coverage of the source; call once, at the end of its transaction.
    func finish() throws {
        for (change, n) in normalisedSeeds.sorted(by: { $0.key < $1.key }) {
            try store.addNote(source: sourceID, arch: nil, "seed string normalised \(change) in \(n) trials")
        }
        try writer.finish(source: sourceID, rowCounts: counts)
    }
}
