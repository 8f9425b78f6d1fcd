import Datasets
import Foundation
import SearchSpace
import Store
import Support
import Testing
import TestSupport
import Training
@testable import Experiments

/// The stand-alone training run (`nb201 train-arch`) through Store's run lifecycle on generated CIFAR-10 files: a
/// stopped run resumes to the same scores as an uninterrupted one, a finished run is not trained again, another
/// protocol under the same name is refused naming the field, and the largest seed is a seed like any other.
@Suite struct StandaloneExperimentTests {
    static func setUp() throws -> (store: BenchmarkStore, data: BenchmarkData, checkpoints: String) {
        let dir = SharedData.temporaryDirectory()
        let (files, splits) = SyntheticDatasetFiles.sharedCIFAR10
        let data = try BenchmarkData.load(.cifar10Valid, dataDirectory: files, splitsDirectory: splits)
        return (try BenchmarkStore(path: dir.appendingPathComponent("db.sqlite").path), data, dir.appendingPathComponent("ckpt").path)
    }

    static func config(seed: UInt64 = 3, epochs: Int = 2) -> StandaloneConfig {
        StandaloneConfig(arch: try! Cell(ordinal: 4321).archString, dataset: "cifar10-valid", epochs: epochs, channels: 4, cellsPerStage: 1,
                         batchSize: 32, learningRate: 0.05, seed: seed, trainLimit: 96, evalLimit: 64)
    }

    @Test func stoppedRunResumesToTheUninterruptedScores() throws {
        let (store, data, checkpoints) = try Self.setUp()
        let whole = try StandaloneExperiment.open(store: store, config: Self.config(), name: "whole", checkpointDirectory: checkpoints,
                                                  codeVersion: "test")
        let uninterrupted = try whole.train(data: data, quiet: true)
        let finished = try store.run(id: whole.run.id)
        #expect(whole.run.kind == StandaloneExperiment.kind && finished.status == .finished && finished.summaryJSON.contains("x-valid"))
        #expect(try store.epochs(run: whole.run.id).count == 2 && finished.imagesSeen == 2 * 96)

        let stopped = try StandaloneExperiment.open(store: store, config: Self.config(), checkpointDirectory: checkpoints, codeVersion: "test")
        var asked = 0
        #expect(throws: WorkStopped.self) { try stopped.train(data: data, quiet: true, shouldStop: { asked += 1; return asked == 5 }) }
        #expect(try store.run(id: stopped.run.id).status != .finished && FileManager.default.fileExists(atPath: stopped.checkpointPath))
        // The same command again resumes from the checkpoint and ends at the same bits.
        let resumed = try StandaloneExperiment.open(store: store, config: Self.config(), checkpointDirectory: checkpoints, codeVersion: "test")
        #expect(resumed.run.id == stopped.run.id)
        #expect(try resumed.train(data: data, quiet: true).scores == uninterrupted.scores)
        #expect(try store.run(id: resumed.run.id).imagesSeen == 2 * 96)
    }

    @Test func finishedRunsAndOtherProtocolsAreRefused() throws {
        let (store, data, checkpoints) = try Self.setUp()
        let run = try StandaloneExperiment.open(store: store, config: Self.config(epochs: 1), name: "once", checkpointDirectory: checkpoints,
                                                codeVersion: "test")
        _ = try run.train(data: data, quiet: true)
        #expect { try StandaloneExperiment.open(store: store, config: Self.config(epochs: 1), name: "once", checkpointDirectory: checkpoints, codeVersion: "test") }
            throws: { "\($0)".contains("has finished") && "\($0)".contains("--name") }
        #expect { try StandaloneExperiment.open(store: store, config: Self.config(epochs: 3), name: "once", checkpointDirectory: checkpoints, codeVersion: "test") }
            throws: { "\($0)".contains("differs in epochs") }
    }

    @Test func theLargestSeedTrains() throws {
        let (store, data, checkpoints) = try Self.setUp()
        let run = try StandaloneExperiment.open(store: store, config: Self.config(seed: .max, epochs: 1), checkpointDirectory: checkpoints,
                                                codeVersion: "test")
        #expect(run.run.name.hasSuffix("s18446744073709551615"))
        #expect(try run.train(data: data, quiet: true).scores.count == 2)
    }
}
