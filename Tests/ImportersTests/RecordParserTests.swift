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

    /// An eval dict {'<split>@<epoch>': value} is read into one series per listed split: keys of other splits and
    /// non-string keys are skipped, a bad epoch is an error naming the key.
    @Test func evalDictBecomesOneSeriesPerSplit() throws {
        let dict = try evalDict([("x-valid@1", 2.5), ("ori-test@0", 7), ("x-test@1", 9), ("x-valid@0", 1.25)])
        let series = try RecordParser.evalSeries(dict, splits: ["x-valid", "ori-test"], epochs: 3, context: "ctx")
        #expect(series[0][0] == 1.25 && series[0][1] == 2.5 && series[0][2].isNaN)
        #expect(series[1][0] == 7 && series[1][1].isNaN && series[1][2].isNaN)
        for bad in ["x-valid@3", "x-valid@", "x-valid@1a", "x-valid@-1"] {
            #expect { try RecordParser.evalSeries(try evalDict([(bad, 1)]), splits: ["x-valid"], epochs: 3, context: "ctx") } throws: { error in
                "\(error)" == "ctx: eval key '\(bad)' outside epochs 0..<3"
            }
        }
    }

    /// A protocol-2 pickle of a dict of str -> float, unpickled (the importer tests see PickleValues only that way).
    private func evalDict(_ entries: [(String, Double)]) throws -> PickleValue {
        var bytes: [UInt8] = [0x80, 0x02, 0x7D, 0x28] // PROTO 2, EMPTY_DICT, MARK
        for (key, value) in entries {
            bytes += [0x8C, UInt8(key.utf8.count)] + Array(key.utf8) // SHORT_BINUNICODE
            bytes.append(0x47) // BINFLOAT, big-endian
            withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes += $0 }
        }
        bytes += [0x75, 0x2E] // SETITEMS, STOP
        return try PickleFile.load(bytes: bytes)
    }
}
