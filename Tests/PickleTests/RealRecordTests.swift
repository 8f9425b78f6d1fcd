import Testing
@testable import Pickle

/// The real NATS-Bench records in ../shared/data/nats-tss (meta + architectures 0 and 11).
@Suite struct RealRecordTests {
    @Test func metaFile() throws {
        guard let path = TestSupport.sharedData("nats-tss/meta.pickle.pbz2") else {
            print("skipped: ../shared/data/nats-tss/meta.pickle.pbz2 is absent"); return
        }
        let meta = try PickleFile(path: path).load().object
        guard case let .list(archs)? = meta["meta_archs"], case let .set(evaluated)? = meta["evaluated_indexes"] else {
            Issue.record("meta layout"); return
        }
        #expect(archs.items.count == 15625 && meta["total_archs"] == .int(15625) && evaluated.items.isEmpty)
        #expect(archs.items[0] == .string("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"))
        #expect(meta["arch2infos"] == PickleValue.none)
    }

    @Test func architectureZeroSeedMeanAndBothMemoPolicies() throws {
        guard let path = TestSupport.sharedData("nats-tss/000000.pickle.pbz2") else {
            print("skipped: ../shared/data/nats-tss/000000.pickle.pbz2 is absent"); return
        }
        let file = try PickleFile(path: path)
        let record = try file.load().object
        #expect(try file.load(memo: .scanFirst).object == record)
        guard case let .dict(budgets) = record else { Issue.record("not a dict"); return }
        #expect(budgets.isOrdered && budgets.keys == [.string("12"), .string("200")])
        let full = record["200"]
        var sum = 0.0
        for seed in [777, 888, 999] {
            let run = full?["all_results"]?[.tuple(PickleTuple([.string("cifar10"), .int(seed)]))]
            #expect(run?["seed"] == .string(String(format: "%04d", seed)))
            sum += run?["eval_acc1es"]?["ori-test@199"]?.double ?? .nan
        }
        #expect(abs(sum / 3 - 85.86333333333334) < 1e-12)
    }
}
