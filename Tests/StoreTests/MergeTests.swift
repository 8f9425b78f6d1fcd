import Foundation
import Testing
import TestSupport
@testable import Store

/// `merge`: job databases of one study (a training job, evaluation shards) come together in one file, runs matched by
/// name; conflicting files are refused without a change; merging again changes nothing.
@Suite struct MergeTests {
    static let protocolJSON = #"{"epochs":3,"k":2,"lr":0.05}"#
    static let evaluation = #"{"evaluation":{"validationImages":64}}"#

    /// A study's starting database: 20 architectures and the run `r` registered with empty totals; returns its path.
    private func base(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("base.sqlite").path
        let store = try BenchmarkStore(path: path)
        _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<20), name: "m.csv", in: dir), allowPartial: true)
        _ = try store.openRun(kind: .supernet, name: "r", dataset: "cifar10", seed: 1, protocolJSON: Self.protocolJSON, codeVersion: "test")
        return path
    }

    /// A job's database: a copy of `base` named `name`, changed by `work`.
    private func job(_ name: String, from base: String, in dir: URL, _ work: (BenchmarkStore, Int) throws -> Void) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try BenchmarkStore(path: base).copy(to: path)
        let store = try BenchmarkStore(path: path)
        try work(store, try store.run(named: "r").id)
        return path
    }

    /// An evaluation shard: estimates of `paths` (score 50 + path unless `score` says otherwise), `seconds` of work.
    private func shard(_ name: String, _ paths: [Int], seconds: Double, from base: String, in dir: URL,
                       score: (Int) -> Double = { 50 + Double($0) }, summary: String = evaluation) throws -> String {
        try job(name, from: base, in: dir) { store, run in
            try store.addEstimates(run: run, paths.map { Estimate(arch: $0, estimator: "supernet", score: score($0), seconds: 0.5) })
            try store.updateRun(id: run, addSeconds: seconds, summaryJSON: summary)
        }
    }

    /// Everything a merge writes, by run name (ids differ per file).
    private func contents(_ path: String) throws -> [[SQLValue]] {
        let db = try BenchmarkStore(path: path, readOnly: true).db
        return try (db.rows("SELECT name, kind, status, started_at, finished_at, wall_seconds, images_seen, summary FROM runs ORDER BY name")
            + db.rows("SELECT r.name, e.epoch, e.train_loss, e.seconds, e.images FROM run_epochs e JOIN runs r ON r.id = e.run_id ORDER BY 1, 2")
            + db.rows("SELECT r.name, e.estimator, e.arch_idx, e.score, e.seconds FROM estimates e JOIN runs r ON r.id = e.run_id ORDER BY 1, 2, 3")
            + db.rows("SELECT r.name, p.part, p.wall_seconds, p.images_seen FROM run_parts p JOIN runs r ON r.id = p.run_id ORDER BY 1, 2"))
            .map(\.values)
    }

    @Test func mergesJobsByRunNameSumsTheirPartsAndIsIdempotent() throws {
        let dir = SharedData.temporaryDirectory()
        let base = try base(in: dir)
        let training = try job("train-r.sqlite", from: base, in: dir) { store, run in
            _ = try store.createRun(kind: .proxies, name: "p", dataset: "cifar10", seed: 0, protocolJSON: "{}", codeVersion: "test")
            for epoch in 0..<3 { try store.recordEpoch(run: run, RunEpoch(epoch: epoch, trainLoss: 2 - Double(epoch) / 10, seconds: 4, images: 128)) }
            try store.updateRun(id: run, addSeconds: 12, addImages: 384)
        }
        let shards = [try shard("evaluate-r-shard0.sqlite", [0, 2, 4], seconds: 1.5, from: base, in: dir),
                      try shard("evaluate-r-shard1.sqlite", [1, 3], seconds: 1, from: base, in: dir)]
        // A new file takes its benchmark from the base and every run through the merge, in name order: `r` gets another id.
        let out = dir.appendingPathComponent("study.sqlite").path
        let report = try BenchmarkStore.mergeTarget(path: out, benchmarkFrom: base).merge([training] + shards)
        #expect(report == MergeReport(files: 3, runs: 2, newRuns: 2, epochs: 3, estimates: 5))
        let merged = try BenchmarkStore(path: out, readOnly: true)
        let run = try merged.run(named: "r")
        #expect(run.id != (try BenchmarkStore(path: training, readOnly: true).run(named: "r").id))
        // Training's totals plus each shard's seconds; the shards' common summary; every epoch and estimate once.
        #expect(run.wallSeconds == 12 + 1.5 + 1 && run.imagesSeen == 384 && run.summaryJSON == Self.evaluation && run.status == .running)
        #expect(try merged.epochs(run: run.id).map(\.epoch) == [0, 1, 2])
        #expect(try merged.estimates(run: run.id).map(\.arch) == [0, 1, 2, 3, 4])
        #expect(try merged.runs().map(\.name) == ["p", "r"] && merged.architectureCount == 20)

        // Merging the same files again changes nothing.
        let once = try contents(out)
        #expect(try BenchmarkStore(path: out).merge([training] + shards) == MergeReport(files: 3, runs: 2, newRuns: 0, epochs: 0, estimates: 0))
        #expect(try contents(out) == once)

        // A requeued shard copies back more work under its name: its part is replaced, not added again.
        let requeued = try job("evaluate-r-shard0.sqlite", from: shards[0], in: dir.appendingPathComponent("later", isDirectory: true).creatingDirectory()) { store, run in
            try store.addEstimates(run: run, [Estimate(arch: 6, estimator: "supernet", score: 56)])
            try store.updateRun(id: run, addSeconds: 0.5, status: .finished)
        }
        #expect(try BenchmarkStore(path: out).merge([requeued]).estimates == 1)
        let after = try BenchmarkStore(path: out, readOnly: true).run(named: "r")
        #expect(after.wallSeconds == 12 + 2 + 1 && after.status == .finished && after.finishedAt != nil)
    }

    @Test func refusesAConflictingShardAndChangesNothing() throws {
        let dir = SharedData.temporaryDirectory()
        let base = try base(in: dir)
        let first = try shard("evaluate-r-shard0.sqlite", [0, 1, 2], seconds: 1, from: base, in: dir)
        // The same paths estimated differently (e.g. under another build): path 2 and one more disagree.
        let other = try shard("evaluate-r-shard1.sqlite", [2, 3, 1], seconds: 1, from: base, in: dir, score: { 50 + Double($0) + ($0 == 3 ? 0 : 0.25) })
        let out = dir.appendingPathComponent("study.sqlite").path
        try BenchmarkStore(path: base).copy(to: out)
        let before = try contents(out)
        #expect { try BenchmarkStore(path: out).merge([first, other]) } throws: { error in
            let message = "\(error)"
            return message.contains("run 'r' has conflicting 'supernet' estimates of path 1") && message.contains("51.0 in \(first)")
                && message.contains("51.25 in \(other)") && message.contains("(and 1 more)") && message.contains("nothing was merged")
        }
        #expect(try contents(out) == before)

        // Another protocol for the same run name, and another evaluation protocol, are refused the same way.
        let retrained = dir.appendingPathComponent("train-r.sqlite").path
        do {
            let store = try BenchmarkStore(path: retrained)
            _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<20), name: "m2.csv", in: dir), allowPartial: true)
            _ = try store.openRun(kind: .supernet, name: "r", dataset: "cifar10", seed: 1, protocolJSON: #"{"epochs":3,"k":2,"lr":0.1}"#, codeVersion: "test")
        }
        #expect { try BenchmarkStore(path: out).merge([first, retrained]) } throws: {
            "\($0)".contains("run 'r' differs between \(out) and \(retrained) in protocol (lr)")
        }
        let otherEvaluation = try shard("evaluate-r-shard2.sqlite", [5], seconds: 1, from: base, in: dir, summary: #"{"evaluation":{"validationImages":32}}"#)
        #expect { try BenchmarkStore(path: out).merge([first, otherEvaluation]) } throws: { "\($0)".contains("has another summary in \(otherEvaluation)") }
        // Two inputs of one name would share one part of the totals.
        let twin = try shard("evaluate-r-shard0.sqlite", [7], seconds: 1, from: base, in: dir.appendingPathComponent("twin", isDirectory: true).creatingDirectory())
        #expect { try BenchmarkStore(path: out).merge([first, twin]) } throws: { "\($0)".contains("are both called 'evaluate-r-shard0.sqlite'") }
        #expect(try contents(out) == before)
    }

    /// The copy holds what is still in the -wal file, and a destination that is open in WAL mode is not replaced.
    @Test func copyIsCompleteAndRefusesAnOpenDestination() throws {
        let dir = SharedData.temporaryDirectory()
        let store = try BenchmarkStore(path: try base(in: dir))
        try store.addEstimates(run: try store.run(named: "r").id, [Estimate(arch: 3, estimator: "supernet", score: 1)])
        #expect(FileManager.default.fileExists(atPath: store.db.path + "-wal"))
        let copy = dir.appendingPathComponent("copy.sqlite").path
        try store.copy(to: copy)
        #expect(try BenchmarkStore(path: copy, readOnly: true).estimates(run: try store.run(named: "r").id).count == 1)
        #expect { try store.copy(to: store.db.path) } throws: { "\($0)".contains("-wal exists") }
        #expect { try store.copy(to: dir.appendingPathComponent("missing/copy.sqlite").path) } throws: { "\($0)".contains("no directory") }
    }
}

private extension URL {
    func creatingDirectory() throws -> URL {
        try FileManager.default.createDirectory(at: self, withIntermediateDirectories: true)
        return self
    }
}
