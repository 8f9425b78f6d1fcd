import Foundation
import Testing
import TestSupport
@testable import Store

@Suite struct RunsTests {
    @Test func runsEpochsAndEstimatesRoundTrip() throws {
        let (store, dir) = try Fixtures.store()
        _ = try store.importTable(path: Fixtures.write(Fixtures.mergedCSV(rows: 0..<20), name: "m.csv", in: dir), allowPartial: true)
        let run = try store.createRun(kind: .supernet, name: "c10-k2-s1", dataset: "cifar10", seed: 1,
                                      protocolJSON: #"{"k":2}"#, codeVersion: "test")
        #expect(run.status == .running && run.wallSeconds == 0)
        #expect(throws: StoreError.self) {
            try store.createRun(kind: .supernet, name: "c10-k2-s1", dataset: "cifar10", seed: 1, protocolJSON: "{}", codeVersion: "t")
        }
        try store.recordEpoch(run: run.id, RunEpoch(epoch: 0, trainLoss: 2.1, learningRate: 0.1, seconds: 3, images: 640))
        try store.recordEpoch(run: run.id, RunEpoch(epoch: 0, trainLoss: 2.0, learningRate: 0.1, seconds: 3, images: 640))
        #expect(try store.epochs(run: run.id).map(\.trainLoss) == [2.0])
        try store.addEstimates(run: run.id, [Estimate(arch: 3, estimator: "supernet", score: 55.5, accuracy: 55.5),
                                             Estimate(arch: 4, estimator: "supernet", score: 51)])
        #expect(try store.estimates(run: run.id).map(\.arch) == [3, 4])
        // A NaN score is refused and nothing of the batch lands.
        #expect(throws: StoreError.self) {
            try store.addEstimates(run: run.id, [Estimate(arch: 5, estimator: "supernet", score: 1), Estimate(arch: 6, estimator: "supernet", score: .nan)])
        }
        #expect(try store.estimates(run: run.id).count == 2)
        try store.updateRun(id: run.id, addSeconds: 6, addImages: 1280, status: .finished, summaryJSON: #"{"ok":true}"#)
        let done = try store.run(named: "c10-k2-s1")
        #expect(done.status == .finished && done.wallSeconds == 6 && done.imagesSeen == 1280 && done.finishedAt != nil)
    }

    /// openRun creates a run once, reopens it under the same kind and protocol, and otherwise refuses naming the
    /// differing fields; every UInt64 seed is stored (as its bit pattern) and read back as itself.
    @Test func openRunReopensOrNamesTheDifference() throws {
        let (store, _) = try Fixtures.store()
        let run = try store.openRun(kind: .supernet, name: "r", dataset: "cifar10", seed: .max,
                                    protocolJSON: #"{"epochs":3,"k":2,"lr":0.05}"#, codeVersion: "test")
        #expect(run.seed == .max && run.kind == .supernet && run.status == .running)
        #expect(try store.db.scalar("SELECT seed FROM runs WHERE id = ?", [SQLValue(run.id)])?.int == -1)
        #expect(try store.openRun(kind: .supernet, name: "r", dataset: "cifar10", seed: .max,
                                  protocolJSON: #"{"epochs":3,"k":2,"lr":0.05}"#, codeVersion: "test") == run)
        #expect { try store.openRun(kind: .supernet, name: "r", dataset: "cifar10", seed: .max,
                                    protocolJSON: #"{"epochs":4,"k":2,"lr":0.1}"#, codeVersion: "test") }
            throws: { "\($0)".contains("differs in epochs, lr") }
        #expect { try store.openRun(kind: .supernet, name: "r", dataset: "cifar10", seed: .max,
                                    protocolJSON: #"{"epochs":3,"k":2}"#, codeVersion: "test") }
            throws: { "\($0)".contains("differs in lr") }
        #expect { try store.openRun(kind: .proxies, name: "r", dataset: "cifar10", seed: 0,
                                    protocolJSON: #"{"epochs":3,"k":2,"lr":0.05}"#, codeVersion: "test") }
            throws: { "\($0)".contains("is a supernet run, not a proxies run") }
        #expect(try store.runs().count == 1)
    }

    /// A version-1 file (benchmark tables only) opens, migrates to the current version and keeps its rows; its curves,
    /// plain float32 before version 4, still read.
    @Test func migratesVersionOneDatabase() throws {
        let dir = SharedData.temporaryDirectory()
        let path = dir.appendingPathComponent("v1.sqlite").path
        do {
            let db = try Database(path: path)
            try db.execute(Schema.migrations[0])
            try db.execute("PRAGMA user_version = 1")
            try db.execute("INSERT INTO architectures VALUES (0, 'a', '000000', '#')")
            try db.execute("INSERT INTO sources VALUES (1, 'p', 'nats-simple', 0, 'sha', 't', '{}')")
            try db.execute("INSERT INTO trials (id, arch_idx, dataset, hp, seed, source_id) VALUES (1, 0, 'cifar10', 200, '777', 1)")
            // 1.5 and -2 as little-endian float32.
            try db.execute("INSERT INTO curves (trial_id, split, metric, per_epoch) VALUES (1, 'ori-test', 'accuracy', X'0000C03F000000C0')")
        }
        let store = try BenchmarkStore(path: path)
        #expect(store.schemaVersion == Schema.currentVersion)
        #expect(try store.db.scalar("SELECT count(*) FROM architectures")?.int == 1)
        #expect(try store.runs().isEmpty)
        #expect(try store.curves(arch: 0, dataset: "cifar10", hp: 200, split: "ori-test", metric: "accuracy")
            == [StoredCurve(seed: "777", values: [1.5, -2])])
    }
}
