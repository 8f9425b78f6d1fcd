import Datasets
import Foundation
import SearchSpace
import Store
import Supernet
import Support
import Testing
import TestSupport
@testable import Experiments

@Suite struct SupernetExperimentTests {
    /// A store holding the first 300 architectures of the real table (or generated cells where it is absent).
    private func store(in dir: URL) throws -> BenchmarkStore {
        let store = try BenchmarkStore(path: dir.appendingPathComponent("db.sqlite").path)
        let lines = ["index,arch_str,op_codes,cifar10_test_hp200_avg,cifar100_xtest_hp200_avg,imagenet16_120_xtest_hp200_avg,cifar10valid_xvalid_hp200_avg,cifar10valid_oritest_hp200_avg,cifar10valid_train_hp200_avg,cifar10_test_hp12_1seed,cifar100_xtest_hp12_1seed,imagenet16_120_xtest_hp12_1seed,unique_str"]
            + (0..<300).map { i -> String in
                let c = try! Cell(ordinal: (i * 7919) % Cell.spaceSize)
                return ([String(i), c.archString, c.opCodes, "90"] + Array(repeating: "", count: 8) + [c.canonicalForm]).joined(separator: ",")
            }
        let path = dir.appendingPathComponent("t.csv").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        _ = try store.importTable(path: path, allowPartial: true)
        return store
    }

    /// Generated learnable images (256 to train on, 128 to validate on).
    private let data = SupernetData(benchmark: .cifar10Valid, training: Subset(SyntheticImages.learnable(count: 256, seed: 1)),
                                    validation: Subset(SyntheticImages.learnable(count: 128, seed: 2)))

    /// Evaluation on 2 calibration batches and 64 validation images.
    private let evaluation: EvaluationProtocol = {
        var e = EvaluationProtocol()
        e.calibrationBatches = 2
        e.validationImages = 64
        return e
    }()

    /// Opens (or creates) run `name` of `config` in `store`, with its checkpoints under `dir`.
    private func open(_ name: String, _ config: SupernetConfig, store: BenchmarkStore, dir: URL) throws -> SupernetExperiment {
        try SupernetExperiment.open(store: store, name: name, dataset: "cifar10", config: config,
                                    checkpointDirectory: dir.appendingPathComponent("ckpt").path, codeVersion: "test")
    }

    /// A new run `name` of `config` in a fresh store and checkpoint folder.
    private func newRun(_ name: String, _ config: SupernetConfig) throws -> (URL, BenchmarkStore, SupernetExperiment) {
        let dir = SharedData.temporaryDirectory()
        let store = try store(in: dir)
        return (dir, store, try open(name, config, store: store, dir: dir))
    }

    @Test func trainsEvaluatesAndResumes() throws {
        let config = SupernetConfig.tiny(k: 2, seed: 3)
        let (dir, store, experiment) = try newRun("tiny-k2", config)
        _ = try experiment.train(data: data, quiet: true)
        #expect(try store.epochs(run: experiment.run.id).count == config.epochs)
        #expect(try store.run(id: experiment.run.id).imagesSeen > 0)

        // The same name with another configuration is refused; the same configuration reopens the run.
        #expect(throws: StoreError.self) { try open("tiny-k2", .tiny(k: 4, seed: 3), store: store, dir: dir) }
        let paths = try ArchitectureSelection.sample(6).resolve(in: store, seed: 5)
        #expect(paths.count == 6)
        let reopened = try SupernetExperiment.open(store: store, run: "tiny-k2", checkpointDirectory: dir.appendingPathComponent("ckpt").path)
        #expect(reopened.config == config)
        #expect(try reopened.evaluate(Array(paths.prefix(3)), data: data, evaluation: evaluation, quiet: true) == 3)
        // Resuming the evaluation estimates only the paths not done yet.
        #expect(try reopened.evaluate(paths, data: data, evaluation: evaluation, quiet: true) == 3)
        // Another evaluation protocol is refused before any estimate is added; the stored one is named.
        var other = evaluation
        other.validationImages = 32
        #expect(throws: StoreError.self) { try reopened.evaluate(paths, data: data, evaluation: other, quiet: true) }
        let estimates = try store.estimates(run: experiment.run.id, estimator: "supernet")
        #expect(estimates.map(\.arch).sorted() == paths.sorted())
        #expect(estimates.allSatisfy { $0.detailsJSON.hasPrefix(#"{"lambda":["#) && (0...100).contains($0.score) })
    }

    /// Shards are disjoint and cover the selection, and a path's estimate does not depend on which shard, or in
    /// which order, it was evaluated: two identically trained runs, one evaluated whole, one shard by shard in
    /// reverse order, store the same bits.
    @Test func shardedEvaluationGivesTheSameEstimates() throws {
        let selected = Array(0..<11)
        let shards = (0..<3).map { ArchitectureSelection.shard(selected, index: $0, count: 3) }
        #expect(shards.flatMap { $0 }.sorted() == selected && shards.map(\.count) == [4, 4, 3])

        var evaluation = EvaluationProtocol()
        evaluation.calibrationBatches = 2
        evaluation.validationImages = 64
        func trained(_ name: String) throws -> (BenchmarkStore, SupernetExperiment, [Int]) {
            let (_, store, experiment) = try newRun(name, .tiny(k: 2, seed: 6))
            _ = try experiment.train(data: data, quiet: true)
            return (store, experiment, try ArchitectureSelection.sample(6).resolve(in: store, seed: 1))
        }
        let (wholeStore, whole, paths) = try trained("whole")
        try whole.evaluate(paths, data: data, evaluation: evaluation, quiet: true)
        let (shardStore, sharded, same) = try trained("sharded")
        #expect(same == paths)
        for i in [1, 0] { try sharded.evaluate(ArchitectureSelection.shard(paths, index: i, count: 2), data: data, evaluation: evaluation, quiet: true) }
        let a = try wholeStore.estimates(run: whole.run.id).map { [$0.arch: $0.score] }
        let b = try shardStore.estimates(run: sharded.run.id).map { [$0.arch: $0.score] }
        #expect(a.count == 6 && a == b)
    }

    /// A run interrupted mid-epoch and resumed counts every image once: the same totals as an uninterrupted run.
    @Test func interruptedRunCountsEveryImageOnce() throws {
        let config = SupernetConfig.tiny(k: 2, seed: 4)
        let (_, store, experiment) = try newRun("interrupted", config)
        var asked = 0
        let stopped = try experiment.train(data: data, quiet: true, shouldStop: { asked += 1; return asked > 6 })
        #expect(!stopped.isFinished && stopped.batchInEpoch > 0)
        #expect(try store.run(id: experiment.run.id).imagesSeen == 6 * config.batchSize)
        _ = try experiment.train(data: data, quiet: true)
        let perEpoch = (config.trainSubsetSize! / config.batchSize) * config.batchSize
        #expect(try store.run(id: experiment.run.id).imagesSeen == config.epochs * perEpoch)
        #expect(try store.epochs(run: experiment.run.id).count == config.epochs)
    }

    /// Few-shot end to end: trained with an interruption and resumed, evaluated (resumably), one-hot codes stored with
    /// the estimates, and the protocol recorded so a K-shot configuration cannot reopen the run.
    @Test func fewShotTrainsResumesAndEvaluates() throws {
        let config = SupernetConfig.tiny(k: 1, seed: 6).fewShot(edge: 1)
        let (dir, store, experiment) = try newRun("tiny-fewshot", config)
        var asked = 0
        let stopped = try experiment.train(data: data, quiet: true, shouldStop: { asked += 1; return asked > 6 })
        #expect(!stopped.isFinished && stopped.epoch == 1)
        let trained = try experiment.train(data: data, quiet: true)
        #expect(try trained.isFinished && store.epochs(run: experiment.run.id).count == config.epochs)
        #expect(try store.run(id: experiment.run.id).protocolJSON.contains(#""splitEdge":1"#))
        #expect(throws: StoreError.self) { try open("tiny-fewshot", .tiny(k: 5, seed: 6), store: store, dir: dir) }
        let paths = try ArchitectureSelection.sample(6).resolve(in: store, seed: 5)
        #expect(try experiment.evaluate(Array(paths.prefix(2)), data: data, evaluation: evaluation, quiet: true) == 2)
        #expect(try experiment.evaluate(paths, data: data, evaluation: evaluation, quiet: true) == 4)
        let estimates = try store.estimates(run: experiment.run.id, estimator: "supernet")
        #expect(estimates.map(\.arch).sorted() == paths.sorted())
        for estimate in estimates {
            let op = try store.cell(at: estimate.arch).ops[1].rawValue
            let lambda = (0..<5).map { $0 == op ? "1" : "0" }.joined(separator: ",")
            #expect(estimate.detailsJSON == #"{"lambda":[\#(lambda)]}"#)
        }
    }

    /// A K sweep pays for one warm-up: the K = 2 run started from the one-shot run's warm-up snapshot writes the same
    /// checkpoint as a K = 2 run that trained its own, and logs the shared warm-up epochs without their seconds.
    @Test func kRunsShareTheOneShotWarmup() throws {
        let oneShotConfig = SupernetConfig.tiny(k: 1, seed: 8)
        let (dir, store, oneShot) = try newRun("tiny-k1", oneShotConfig)
        var config = SupernetConfig.tiny(k: 2, seed: 8)
        config.itemPerturbation = 0.05
        let branched = try open("tiny-k2-branched", config, store: store, dir: dir)
        // Without the one-shot run's warm-up snapshot there is nothing to start from: the error names the option.
        #expect { try branched.train(data: data, warmupFrom: oneShot, quiet: true) } throws: { "\($0)".contains("--snapshot-epochs 1") }
        _ = try oneShot.train(data: data, snapshotEpochs: [oneShotConfig.warmupEpochs], quiet: true)

        let own = try open("tiny-k2-own", config, store: store, dir: dir)
        _ = try own.train(data: data, quiet: true)
        _ = try branched.train(data: data, warmupFrom: oneShot, quiet: true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: branched.checkpointPath)) == Data(contentsOf: URL(fileURLWithPath: own.checkpointPath)))
        let log = try store.epochs(run: branched.run.id)
        #expect(log.count == config.epochs && log[0].seconds == nil && log[0].metricsJSON.contains("shared_warmup_run"))
        #expect(log.dropFirst().allSatisfy { $0.seconds != nil && !$0.metricsJSON.contains("shared_warmup_run") })
        // Every epoch logs what the own warm-up run logs (the codes at the switch included), bar the seconds and the mark.
        let ownLog = try store.epochs(run: own.run.id)
        func metrics(_ e: RunEpoch) throws -> [String: Double] {
            try JSONDecoder().decode([String: Double].self, from: Data(e.metricsJSON.utf8)).filter { $0.key != "shared_warmup_run" }
        }
        #expect(try log.map(metrics) == ownLog.map(metrics) && log.map(\.trainLoss) == ownLog.map(\.trainLoss))
        #expect(try CodeSummary(metrics: metrics(log[0])) != nil)
        #expect(try store.run(id: branched.run.id).imagesSeen == store.run(id: own.run.id).imagesSeen)
    }

    /// An evaluation asked to stop after some paths writes them, throws WorkStopped, and resumed ends with exactly the
    /// estimates of an uninterrupted evaluation.
    @Test func stoppedEvaluationKeepsItsEstimatesAndResumesIdentically() throws {
        let config = SupernetConfig.tiny(k: 2, seed: 5)
        let (_, store, experiment) = try newRun("stopped-evaluation", config)
        _ = try experiment.train(data: data, quiet: true)
        var evaluation = EvaluationProtocol()
        evaluation.calibrationBatches = 1
        evaluation.validationImages = 32
        let paths = try ArchitectureSelection.sample(5).resolve(in: store, seed: 2)
        var asked = 0
        #expect(throws: WorkStopped.self) {
            try experiment.evaluate(paths, data: data, evaluation: evaluation, quiet: true, shouldStop: { asked += 1; return asked > 2 })
        }
        #expect(try store.estimates(run: experiment.run.id, estimator: "supernet").map(\.arch) == Array(paths.prefix(2)))
        #expect(try experiment.evaluate(paths, data: data, evaluation: evaluation, quiet: true) == 3)
        let resumed = try store.estimates(run: experiment.run.id, estimator: "supernet").sorted { $0.arch < $1.arch }

        let (_, otherStore, uninterrupted) = try newRun("whole-evaluation", config)
        _ = try uninterrupted.train(data: data, quiet: true)
        try uninterrupted.evaluate(paths, data: data, evaluation: evaluation, quiet: true)
        let whole = try otherStore.estimates(run: uninterrupted.run.id, estimator: "supernet").sorted { $0.arch < $1.arch }
        #expect(resumed.map(\.arch) == whole.map(\.arch) && resumed.map(\.score) == whole.map(\.score))
    }

    @Test func architectureSelections() throws {
        let dir = SharedData.temporaryDirectory()
        let store = try store(in: dir)
        #expect(try ArchitectureSelection("all").resolve(in: store, seed: 0).count == 300)
        let reps = try ArchitectureSelection("non-isomorphic").resolve(in: store, seed: 0)
        #expect(Set(try reps.map { try store.cell(at: $0).canonicalForm }).count == reps.count)
        #expect(try ArchitectureSelection("sample:10").resolve(in: store, seed: 1) == ArchitectureSelection("sample:10").resolve(in: store, seed: 1))
        let file = dir.appendingPathComponent("archs.txt").path
        try "3\n\(try store.cell(at: 4).archString)\n\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try ArchitectureSelection(file).resolve(in: store, seed: 0) == [3, 4])
        try "3\n|bogus~0|\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) { try ArchitectureSelection(file).resolve(in: store, seed: 0) }
        #expect(throws: StoreError.self) { try ArchitectureSelection("sample:0") }
    }
}
