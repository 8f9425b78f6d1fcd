import Foundation
import SearchSpace
import Store
import Testing
import TestSupport
@testable import Experiments

/// The reduced-training estimator end to end on generated CIFAR-10 files: estimates per architecture, resume,
/// and a changed protocol refused with the differing field named.
@Suite struct ReducedTrainingExperimentTests {
    @Test func estimatesResumesAndRefusesAnotherProtocol() throws {
        let dir = SharedData.temporaryDirectory()
        let (data, splits) = SyntheticDatasetFiles.sharedCIFAR10
        let store = try BenchmarkStore(path: dir.appendingPathComponent("db.sqlite").path)
        let header = "index,arch_str,op_codes,cifar10_test_hp200_avg,cifar100_xtest_hp200_avg,imagenet16_120_xtest_hp200_avg,cifar10valid_xvalid_hp200_avg,cifar10valid_oritest_hp200_avg,cifar10valid_train_hp200_avg,cifar10_test_hp12_1seed,cifar100_xtest_hp12_1seed,imagenet16_120_xtest_hp12_1seed,unique_str"
        let lines = (0..<20).map { i -> String in
            let c = try! Cell(ordinal: (i * 7919) % Cell.spaceSize)
            return ([String(i), c.archString, c.opCodes, "90"] + Array(repeating: "", count: 8) + [c.canonicalForm]).joined(separator: ",")
        }
        let csv = dir.appendingPathComponent("t.csv").path
        try ([header] + lines).joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        _ = try store.importTable(path: csv, allowPartial: true)

        let shape = NetworkShape(channels: 4, cellsPerStage: 1, classes: 10, resolution: 32)
        let reduced = ReducedTrainingExperiment.ReducedProtocol(dataset: .cifar10, shape: shape, epochs: 1, batchSize: 32,
                                                                learningRate: 0.05, validationImages: 64, trainImages: 96, seed: 2)
        let checkpoints = dir.appendingPathComponent("ckpt").path
        let experiment = try ReducedTrainingExperiment.open(store: store, protocol: reduced, checkpointDirectory: checkpoints,
                                                            codeVersion: "test")
        #expect(experiment.run.kind == .reducedTraining && experiment.run.name == reduced.defaultRunName)
        #expect(try experiment.estimate([3, 5], dataDirectory: data, splitsDirectory: splits, quiet: true) == 2)
        // A rerun estimates only the architectures not done yet.
        #expect(try experiment.estimate([3, 5, 7], dataDirectory: data, splitsDirectory: splits, quiet: true) == 1)
        let estimates = try store.estimates(run: experiment.run.id, estimator: ReducedTrainingExperiment.estimator)
        #expect(estimates.map(\.arch) == [3, 5, 7])
        #expect(estimates.allSatisfy { (0...100).contains($0.score) && $0.score == $0.accuracy && $0.detailsJSON.contains("trainLoss") })
        let run = try store.run(id: experiment.run.id)
        #expect(run.status == .finished && run.imagesSeen == 3 * 96)
        // Checkpoints are removed once an estimate is stored.
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkpoints).isEmpty)

        // Another run of the same protocol gives the same score: training is a function of the protocol alone.
        let again = try ReducedTrainingExperiment.open(store: store, protocol: reduced, name: "again", checkpointDirectory: checkpoints,
                                                       codeVersion: "test")
        try again.estimate([5], dataDirectory: data, splitsDirectory: splits, quiet: true)
        #expect(try store.estimates(run: again.run.id).first?.score == estimates[1].score)

        var longer = reduced
        longer.epochs = 2
        #expect {
            try ReducedTrainingExperiment.open(store: store, protocol: longer, name: reduced.defaultRunName,
                                               checkpointDirectory: checkpoints, codeVersion: "test")
        } throws: { error in
            "\(error)".contains("differs in epochs")
        }
    }
}
