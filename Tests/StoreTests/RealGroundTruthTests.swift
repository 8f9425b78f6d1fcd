import Foundation
import Testing
import TestSupport
@testable import Store

/// The real ground-truth tables from ../shared/data/groundtruth (skipped where absent).
@Suite(.enabled(if: SharedData.path(SharedData.groundTruthMerged) != nil,
                "../shared/data/groundtruth/nb201_groundtruth_merged.csv is absent"))
struct RealGroundTruthTests {
    @Test func mergedTableAnswersTheReferenceQueries() throws {
        let (store, _) = try Fixtures.store()
        _ = try store.importTable(path: SharedData.path(SharedData.groundTruthMerged)!)
        let best = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
        for text in ["6111", best, "333132"] {
            let index = try store.resolveArchitecture(text)
            let a = try store.query(arch: index, dataset: "cifar10", hp: 200, split: "ori-test", seed: .mean)
            #expect(index == 6111)
            #expect(String(format: "%.4f", a.accuracy!) == "94.3733")
        }
        #expect(try store.scores(dataset: "cifar100", split: "x-test", hp: nil, seed: nil, limit: 1).rows[0].index == 9930)
        #expect(try store.scores(dataset: "ImageNet16-120", split: "x-test", hp: 200, seed: .mean, limit: 1).rows[0].index == 857)
        let c10v = try store.scores(dataset: "cifar10-valid", split: "x-valid", hp: 200, seed: .mean, limit: 1).rows[0]
        #expect(c10v.index == 6111 && String(format: "%.4f", c10v.accuracy) == "91.6067")
        #expect(try store.db.scalar("SELECT count(DISTINCT iso_class) FROM architectures")?.int == 6_466)
    }

    /// All four real tables import into one database and agree wherever they overlap.
    @Test func everyRealTableImportsConsistently() throws {
        let (store, _) = try Fixtures.store()
        for name in ["nb201_groundtruth_merged.csv", "vtao_nats_bench_hp200_test_avg.csv",
                     "vtao_nats_bench_hp12_hp200_test_randomseed.csv", "naslandscapes_cifar10-valid_hp200_avg.csv"] {
            guard let path = SharedData.path("groundtruth/\(name)") else { continue }
            let s = try store.importTable(path: path)
            #expect(!s.alreadyImported)
        }
        let a = try store.query(arch: 6111, dataset: "cifar10", hp: 200, split: "ori-test", seed: .unknown)
        #expect(a.accuracy != nil)
        let loss = try store.query(arch: 6111, dataset: "cifar10-valid", hp: 200, split: "x-valid", seed: .mean)
        #expect(loss.trials[0].loss != nil)
    }
}
