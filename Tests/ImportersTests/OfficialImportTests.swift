import Foundation
import Testing
@testable import Importers
import Pickle
import Store

@Suite(.serialized) struct OfficialImportTests {
    /// The ground-truth columns that seed means of the records must reproduce, to every printed digit.
    static let columns: [(column: String, dataset: String, hp: Int, split: String)] = [
        ("cifar10_test_hp200_avg", "cifar10", 200, "ori-test"),
        ("cifar100_xtest_hp200_avg", "cifar100", 200, "x-test"),
        ("imagenet16_120_xtest_hp200_avg", "ImageNet16-120", 200, "x-test"),
        ("cifar10valid_xvalid_hp200_avg", "cifar10-valid", 200, "x-valid"),
        ("cifar10valid_oritest_hp200_avg", "cifar10-valid", 200, "ori-test"),
        ("cifar10valid_train_hp200_avg", "cifar10-valid", 200, "train"),
        // The table's one-seed 12-epoch columns are the seed-111 runs.
        ("cifar10_test_hp12_1seed", "cifar10", 12, "ori-test"),
        ("cifar100_xtest_hp12_1seed", "cifar100", 12, "x-test"),
        ("imagenet16_120_xtest_hp12_1seed", "ImageNet16-120", 12, "x-test"),
    ]

    /// Checks architectures 0 and 11 against ../shared/data/groundtruth/nb201_groundtruth_merged.csv.
    static func expectGroundTruth(_ store: BenchmarkStore) throws {
        guard let csvPath = Support.shared("groundtruth/nb201_groundtruth_merged.csv") else {
            print("skipped ground-truth comparison: nb201_groundtruth_merged.csv is absent"); return
        }
        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        for arch in [0, 11] {
            let fields = lines[arch + 1].split(separator: ",").map(String.init)
            for c in columns {
                let printed = fields[header.firstIndex(of: c.column)!]
                let decimals = printed.split(separator: ".").last.map { $0.count } ?? 0
                let tolerance = max(0.5 * pow(10, -Double(decimals)), 1e-13)
                let mean = try Support.seedMean(store, arch: arch, dataset: c.dataset, hp: c.hp, split: c.split)
                #expect(mean.map { abs($0 - Double(printed)!) <= tolerance } == true,
                        "arch \(arch) \(c.column): \(String(describing: mean)) vs printed \(printed)")
            }
        }
        // The figures the brief names.
        #expect(try abs(Support.seedMean(store, arch: 0, dataset: "cifar10", hp: 200, split: "ori-test")! - 85.86333) < 5e-6)
        #expect(try abs(Support.seedMean(store, arch: 0, dataset: "cifar100", hp: 200, split: "x-test")! - 52.91333) < 5e-6)
    }

    @Test func natsSimpleDirectoryImportsRealRecordsOnceAndResumes() throws {
        let dir = try Support.scratch("simple")
        guard let nats = try Support.natsDirectory(dir, archs: ["000000.pickle.pbz2", "000011.pickle.pbz2"]) else {
            print("skipped: ../shared/data/nats-tss is absent"); return
        }
        // A damaged architecture file fails the import; what it had written in its batch is rolled back.
        let arch11 = URL(fileURLWithPath: nats).appendingPathComponent("000011.pickle.pbz2")
        let good = try Data(contentsOf: arch11)
        try good.prefix(good.count / 2).write(to: arch11)
        let store = try Support.store(in: dir)
        #expect(throws: (any Error).self) { try OfficialImport.run(path: nats, into: store, progress: false) }
        #expect(try Support.count(store, "trials") == 0)
        #expect(store.architectureCount == 15625) // the meta file is its own committed source
        // Repaired: the import resumes (the meta file is not read into the database again).
        try good.write(to: arch11)
        let first = try OfficialImport.run(path: nats, into: store, progress: false)
        #expect(first.filesImported == 2 && first.filesSkipped == 1 && first.architectures == 2)
        // 200 epochs: 4 datasets x 3 seeds; 12 epochs: seed 111 for all four and 777 for cifar10-valid.
        #expect(first.trials == 2 * 17)
        try Self.expectGroundTruth(store)
        // Quirks kept: seeds '0777' stored as '777' with a note; ori-test of cifar10-valid only at the last epoch.
        let notes = try store.db.rows("SELECT note FROM import_notes").compactMap { $0["note"].string }
        #expect(notes.contains { $0.hasPrefix("seed string normalised '0777' -> '777'") })
        let oriTest = try store.curves(arch: 0, dataset: "cifar10-valid", hp: 200, split: "ori-test", metric: "accuracy")
        let values = try #require(oriTest.first { $0.seed == "777" }).values
        #expect(oriTest.map(\.seed) == ["777", "888", "999"])
        #expect(values.count == 200 && values[..<199].allSatisfy(\.isNaN) && !values[199].isNaN)
        // The last epoch of each curve is the final result the queries answer with (float32 of it).
        let final = try store.query(arch: 0, dataset: "cifar10-valid", hp: 200, split: "ori-test", seed: .seed(777)).accuracy!
        #expect(Float(values[199]) == Float(final))
        // Stored compressed: the constant time curves take a few bytes, the whole table well under the raw float32.
        let blobs = try store.db.rows("SELECT per_epoch, encoding FROM curves")
        #expect(blobs.allSatisfy { $0["encoding"].string == "zlib-float32" })
        var storedBytes = 0, rawBytes = 0
        for row in blobs {
            guard case let .blob(bytes) = row["per_epoch"] else { Issue.record("a curve is not a blob"); continue }
            storedBytes += bytes.count
            rawBytes += try BenchmarkStore.decodeCurve(bytes, encoding: .zlibFloat32).count * 4
        }
        #expect(Double(storedBytes) < 0.5 * Double(rawBytes), "curves take \(storedBytes) of \(rawBytes) raw bytes")
        // Costs from the source sit next to the cost model's and agree with it for architecture 0.
        let costs = try store.db.rows("SELECT origin, params, flops FROM costs WHERE arch_idx = 0 AND dataset = 'cifar100' ORDER BY origin")
        #expect(costs.count == 2 && abs(costs[0]["params"].double! - costs[1]["params"].double!) < 1e-9)

        let again = try OfficialImport.run(path: nats, into: store, progress: false)
        #expect(again.filesImported == 0 && again.filesSkipped == 3 && again.trials == 0)
    }

    @Test func nb201LegacyFixtureImportsTheSameNumbers() throws {
        let fixture = Support.packageRoot.appendingPathComponent("data/fixtures/nb201-mini-legacy.pth.bz2").path
        let dir = try Support.scratch("pth-fixture")
        let store = try Support.store(in: dir)
        #expect(try PickleFile(path: fixture).layout == .torchLegacy)
        let summary = try OfficialImport.run(path: fixture, into: store, progress: false)
        #expect(summary.layout == "nb201-pth" && summary.architectures == 2 && summary.trials == 34)
        #expect(store.architectureCount == 12) // meta_archs of the fixture lists indices 0..11
        try Self.expectGroundTruth(store)
        #expect(try OfficialImport.run(path: fixture, into: store, progress: false).filesSkipped == 1)
    }

    @Test func generatedPthInBothContainersImportsTheSameNumbers() throws {
        let dir = try Support.scratch("pth-generated")
        let script = Support.packageRoot.appendingPathComponent("data/fixtures/generate/make_nb201_pth.py").path
        for (name, options) in [("legacy.pth", ["--real"]), ("zip.pth", ["--real", "--zip"])] {
            let path = dir.appendingPathComponent(name).path
            guard Support.shared("nats-tss/000000.pickle.pbz2") != nil, Support.python([script, path] + options) else {
                print("skipped: python3 with numpy, or ../shared/data/nats-tss, is not available"); return
            }
            let store = try BenchmarkStore(path: dir.appendingPathComponent("\(name).sqlite").path)
            #expect(try PickleFile(path: path).layout == (options.contains("--zip") ? .torchZip(entry: "archive/data.pkl") : .torchLegacy))
            #expect(try OfficialImport.run(path: path, into: store, progress: false).trials == 34)
            try Self.expectGroundTruth(store)
        }
    }

    @Test func natsSingleFileImportsTheSameNumbers() throws {
        let dir = try Support.scratch("nats-file")
        let path = dir.appendingPathComponent("NATS-tss-v1_0-3ffb9.pickle.pbz2").path
        let script = Support.packageRoot.appendingPathComponent("data/fixtures/generate/make_nats_file.py").path
        guard Support.shared("nats-tss/000000.pickle.pbz2") != nil, Support.python([script, path]) else {
            print("skipped: python3, or ../shared/data/nats-tss, is not available"); return
        }
        let store = try Support.store(in: dir)
        let summary = try OfficialImport.run(path: path, into: store, progress: false)
        #expect(summary.layout == "nats-file" && summary.trials == 34)
        try Self.expectGroundTruth(store)
    }

    @Test func damagedSingleFileLeavesTheDatabaseAsItWas() throws {
        let fixture = Support.packageRoot.appendingPathComponent("data/fixtures/nb201-mini-legacy.pth.bz2")
        let dir = try Support.scratch("pth-damaged")
        let damaged = dir.appendingPathComponent("damaged.pth.bz2")
        let bytes = try Data(contentsOf: fixture)
        try bytes.prefix(bytes.count * 3 / 4).write(to: damaged)
        let store = try Support.store(in: dir)
        #expect(throws: (any Error).self) { try OfficialImport.run(path: damaged.path, into: store, progress: false) }
        #expect(try Support.count(store, "sources") == 0 && Support.count(store, "trials") == 0 && store.architectureCount == 0)
    }

    @Test func qualityReportSaysWhatIsMissingAndNormalised() throws {
        let fixture = Support.packageRoot.appendingPathComponent("data/fixtures/nb201-mini-legacy.pth.bz2").path
        let store = try Support.store(in: try Support.scratch("quality"))
        _ = try OfficialImport.run(path: fixture, into: store, progress: false)
        // Architecture 0 lacks cifar10 seed 888 in this store.
        try store.db.execute("DELETE FROM trials WHERE arch_idx = 0 AND dataset = 'cifar10' AND hp = 200 AND seed = '888'")
        let q = try DataQuality.report(store)
        #expect(q.seedCoverage.contains { $0.dataset == "cifar10-valid" && $0.hp == 12 && $0.seed == "777" && $0.architectures == 2 })
        #expect(q.missingSeeds.contains { $0.dataset == "cifar10" && $0.hp == 200 && $0.examples == [0] })
        #expect(q.costDisagreements == 0)
        #expect(q.notes.contains { $0.note == "seed string normalised '0777' -> '777'" })
        #expect(q.notes.contains { $0.note == "2 architectures have records, meta_archs lists 12" })
        #expect(q.accuraciesOutOfRange == 0 && q.accuracyExamples.isEmpty)
        // An accuracy outside 0...100 percent (a file scaled to fractions, or corrupt) is counted with its architecture.
        let arch = try #require(try store.db.scalar("SELECT arch_idx FROM trials WHERE id = (SELECT min(trial_id) FROM results)")?.int)
        try store.db.execute("UPDATE results SET accuracy = 250 WHERE trial_id = (SELECT min(trial_id) FROM results)")
        let flagged = try DataQuality.report(store)
        #expect(flagged.accuraciesOutOfRange >= 1 && flagged.accuracyExamples == [arch])
    }
}
