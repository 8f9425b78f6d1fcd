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

@Suite struct RealPython2PickleTests {
    /// The real CIFAR-10 `batches.meta`, written by Python 2 cPickle: its strings are BINSTRING bytes.
    @Test func cifarBatchesMeta() throws {
        guard let path = TestSupport.sharedData("fixtures/cifar10_python_batches.meta") else {
            print("skipped: ../shared/data/fixtures/cifar10_python_batches.meta is absent"); return
        }
        let meta = try PickleFile(path: path).load().object
        guard case let .list(names)? = meta["label_names"] else { Issue.record("label_names"); return }
        #expect(names.items.count == 10 && names.items.first == .bytes(Array("airplane".utf8)))
        #expect(meta["num_vis"] == .int(3072) && meta["num_cases_per_batch"] == .int(10000))
    }
}
