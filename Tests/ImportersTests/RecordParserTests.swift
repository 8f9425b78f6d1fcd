import Testing
@testable import Importers
import Pickle
import Store

@Suite struct RecordParserTests {
    @Test func realArchitectureRecordBecomesTypedTrials() throws {
        guard let path = Support.shared("nats-tss/000011.pickle.pbz2") else { print("skipped: 000011.pickle.pbz2 absent"); return }
        let record = try RecordParser.architecture(try PickleFile(path: path).load().object, expectedIndex: 11, context: path, compressor: CurveCompressor())
        #expect(record.index == 11 && record.trials.count == 17)
        let run = try #require(record.trials.first { $0.dataset == "cifar100" && $0.hp == 200 && $0.seed == "888" })
        #expect(run.recordedSeed == "0888")
        #expect(run.finals.map(\.split) == ["train", "ori-test", "x-valid", "x-test"])
        let xTest = try #require(run.finals.first { $0.split == "x-test" })
        #expect(xTest.epoch == 199 && xTest.accuracy != nil && xTest.loss != nil && xTest.time != nil)
        // cifar100 at 200 epochs: x-test only at the last epoch, ori-test at every epoch.
        let curve = try #require(run.curves.first { $0.split == "x-test" && $0.metric == "accuracy" })
        #expect(curve.perEpoch.filter { !$0.isNaN }.count == 1)
        #expect(run.curves.first { $0.split == "ori-test" && $0.metric == "loss" }?.perEpoch.allSatisfy { !$0.isNaN } == true)
        #expect(run.params != nil && run.flops != nil && run.latency != nil)
    }

    @Test func structuralProblemsNameTheField() throws {
        guard let path = Support.shared("nats-tss/000000.pickle.pbz2") else { print("skipped: 000000.pickle.pbz2 absent"); return }
        let value = try PickleFile(path: path).load().object
        #expect(throws: RecordError.self) { try RecordParser.architecture(value, expectedIndex: 5, context: "x", compressor: CurveCompressor()) }
        #expect(throws: RecordError.self) { try RecordParser.architecture(.list(PickleList()), expectedIndex: nil, context: "x", compressor: CurveCompressor()) }
        do {
            _ = try RecordParser.trial(.dict(PickleDict(ordered: false)), dataset: "cifar10", hp: 200, seed: 777, context: "ctx", compressor: CurveCompressor())
            Issue.record("expected an error")
        } catch let e as RecordError {
            #expect(e.description == "ctx: missing field 'epochs'")
        }
    }
}
