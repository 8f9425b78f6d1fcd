import Foundation
import SearchSpace
import Store
import Supernet
import Support
import Synchronization
import Testing
import TestSupport
@testable import Study

/// The reference study's pipeline at the `tiny` preset on generated files of each dataset's release layout,
/// ranked against a generated ground-truth table: what CI runs in place of the real study.
@Suite struct StudyTests {
    /// A store holding 300 generated architectures whose "accuracy" columns follow parameter count with noise.
    private func store(at path: String) throws -> BenchmarkStore {
        let store = try BenchmarkStore(path: path)
        let csv = try GeneratedGroundTruth.write(to: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("truth.csv").path)
        _ = try store.importTable(path: csv, allowPartial: true)
        return store
    }

    private func runner(_ plan: StudyPlan, _ dir: URL, data: String, splits: String) -> StudyRunner {
        StudyRunner(plan: plan, databasePath: dir.appendingPathComponent("db.sqlite").path, dataDirectory: data, splitsDirectory: splits,
                    checkpointDirectory: dir.appendingPathComponent("ckpt").path, jobs: 2, codeVersion: "test", quiet: true)
    }

    @Test func tinyStudyOnGeneratedCIFAR10WritesTheReportAndResumes() throws {
        let dir = SharedData.temporaryDirectory()
        let (data, splits) = SyntheticDatasetFiles.sharedCIFAR10
        let store = try store(at: dir.appendingPathComponent("db.sqlite").path)
        var plan = try StudyPlan.standard(preset: "tiny", dataset: .cifar10)
        plan.fewShotEdge = 0
        let runner = runner(plan, dir, data: data, splits: splits)

        let (truths, notes) = try runner.prepareBenchmark(source: nil)
        #expect(truths.map(\.description) == ["cifar10-valid x-valid", "cifar10 ori-test"] && notes.isEmpty)
        try runner.recordBaselines()
        // The protocol text of databases written before the baselines went through Store.openRun, so they resume.
        #expect(try store.run(named: plan.baselineRunName).protocolJSON
            == #"{"archs":"sample:12","estimators":["params","flops"],"sample_seed":0,"source":"cost model of the cifar10 network"}"#)
        try runner.runJobs()
        let estimated = try store.runs(kind: .supernet).map { ($0.name, try store.estimates(run: $0.id).count) }
        // 12 paths per run; the first seed's runs also estimate 6 paths at each of its 2 snapshot epochs.
        let fewShot = StudyArm.fewShot(edge: 0)
        #expect(Dictionary(uniqueKeysWithValues: estimated) == [plan.runName(k: 1, seed: 0): 12 + 12, plan.runName(k: 2, seed: 0): 12 + 12,
                                                                plan.runName(k: 1, seed: 1): 12, plan.runName(k: 2, seed: 1): 12,
                                                                plan.runName(fewShot, seed: 0): 12, plan.runName(fewShot, seed: 1): 12])
        #expect(plan.runName(fewShot, seed: 1) == "supernet-cifar10-tiny-fewshot-e0-s1")
        // The K = 2 and few-shot runs started from their seed's one-shot warm-up: its epoch is logged as shared, without seconds.
        for seed: UInt64 in [0, 1] {
            for arm in [StudyArm(k: 2), fewShot] {
                let log = try store.epochs(run: try store.run(named: plan.runName(arm, seed: seed)).id)
                #expect(log.count == 3 && log[0].seconds == nil && log[0].metricsJSON.contains("shared_warmup_run"))
            }
        }

        // Running again finds everything done: no run trains or estimates anything new.
        let seconds = try store.runs(kind: .supernet).map(\.wallSeconds)
        try runner.runJobs()
        #expect(try store.runs(kind: .supernet).map(\.wallSeconds) == seconds)

        let results = try StudyResults.compute(plan: plan, store: store, groundTruths: truths)
        #expect(results.runs.count == 6 && results.runs.allSatisfy(\.complete))
        // K-shot runs with K > 1 summarise their simplex codes; one-shot and few-shot runs have none.
        #expect(results.runs.allSatisfy { ($0.k > 1 && $0.splitEdge == nil) == ($0.codes != nil) })
        #expect(results.runs.compactMap(\.codes?.meanLargestLambda).allSatisfy { (0.5...1).contains($0) })
        // The run log per epoch: every epoch's training accuracy; codes from the switch on, for K > 1 only.
        let warmup = plan.config(k: 2, seed: 0).warmupEpochs
        #expect(results.runs.allSatisfy { $0.epochLog.map(\.epoch) == Array(1...$0.epochs) && $0.finalTrainAccuracy != nil })
        #expect(results.runs.allSatisfy { run in
            run.epochLog.allSatisfy { ($0.codes != nil) == (run.k > 1 && run.splitEdge == nil && $0.epoch >= warmup) }
        })
        #expect(Set(results.summaries.map(\.arm.label)) == ["K=1", "K=2", "few-shot e0"] && results.summaries.allSatisfy { $0.taus.count == 2 })
        // Per ground truth: K=2 and few-shot against K=1, and each against params.
        #expect(results.paired.filter { $0.second == "K=1" }.count == 4 && results.paired.filter { $0.second == "params" }.count == 6)
        #expect(results.paired.contains { $0.first == "few-shot e0" && $0.second == "K=1" })
        #expect(results.paired.allSatisfy { $0.lower <= $0.difference && $0.difference <= $0.upper && (0...1).contains($0.pValue) })
        #expect(results.paired.allSatisfy { $0.perSeed.count == $0.seeds.count && abs($0.perSeed.reduce(0, +) / Double($0.seeds.count) - $0.difference) < 1e-9 })
        // Snapshots at epochs 1 and 2 plus the final epoch, per K and ground truth.
        #expect(results.snapshots.count == 2 * 2 * 3 && results.snapshots.allSatisfy { $0.paths == 6 })
        // What each ranking rewards: one row per K and per ground truth, every operation.
        #expect(results.operationBias.map(\.estimator) == ["K=1", "K=2", "few-shot e0", "truth: cifar10-valid x-valid", "truth: cifar10 ori-test"])
        #expect(results.operationBias.allSatisfy { $0.tau.count == 5 && $0.tau.values.allSatisfy { (-1...1).contains($0) } })
        let rows = try #require(results.rows["cifar10-valid_x-valid"])
        #expect(rows.map(\.estimator) == ["K=1 seed 0", "K=2 seed 0", "few-shot e0 seed 0", "K=1 seed 1", "K=2 seed 1", "few-shot e0 seed 1", "flops", "params",
                                          "grad_norm", "jacob_cov", "nwot", "snip", "synflow"])

        let out = dir.appendingPathComponent("report")
        let files = try StudyReport(results: results, databasePath: "db.sqlite", commandLine: ["nb201", "reproduce"], codeVersion: "test",
                                    machine: "test").write(to: out, store: store)
        for name in ["README.md", "runs.csv", "summary.csv", "epochs.csv", "paired.csv", "snapshots.csv", "operation-bias.csv", "tau-vs-k.svg",
                     "tau-vs-epochs.svg", "tau-vs-hours.svg",
                     "study.json", "study.ipynb", "study.sqlite", "cifar10-valid_x-valid/ranking.md", "cifar10_ori-test/report.ipynb",
                     "cifar10_ori-test/scatter-K-2-seed-1.svg"] {
            #expect(files.contains(name), "missing \(name)")
        }
        // The extract beside the report holds the study's runs and estimates on the sampled paths, and no benchmark data.
        let extract = try BenchmarkStore(path: out.appendingPathComponent("study.sqlite").path, readOnly: true)
        #expect(try extract.isomorphismClasses().count == 12)
        #expect(try extract.runs().map(\.name).sorted() == (try store.runs().map(\.name).filter { !$0.hasPrefix("train-arch") }.sorted()))
        #expect(try extract.estimates(run: try extract.run(named: plan.runName(k: 2, seed: 1)).id).count == 12)
        #expect((try? extract.groundTruth(dataset: "cifar10-valid", split: "x-valid", hp: 200, seed: .mean))?.rows.isEmpty ?? true)
        let readme = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        for heading in ["## What the numbers show", "## Kendall tau-b per K", "## Paired differences", "## What each ranking rewards",
                        "## Training after the warm-up", "## Cost of each run", "## Protocol"] {
            #expect(readme.contains(heading), "README lacks \(heading)")
        }
        #expect(readme.contains("| K=1 (one-shot) |") && readme.contains("| K=2 | K=1 | cifar10-valid x-valid | 0,1 |"))
        #expect(readme.contains("| few-shot e0 (5 sub-supernets) |") && readme.contains("| few-shot e0 | K=1 | cifar10-valid x-valid | 0,1 |"))
        #expect(!readme.contains("| COLLAPSED |") && !readme.contains(" †,") && readme.contains("| in use |"))
        // Training accuracy after the warm-up (tiny: epochs 2 and 3) per arm against one-shot, and each arm's cost.
        #expect(readme.contains("| epoch | K=1 | K=2 | few-shot e0 |") && readme.contains("\n| 2 | ") && readme.contains("\n| 3 | "))
        #expect(readme.contains("Largest |difference| to K=1 over these epochs: K=2 ") && readme.contains("\n| K=1 | ") && readme.contains("| 1.00x |"))
        #expect(readme.contains("paths drawn uniform") && !readme.contains("K-shot options"))
        // A run whose codes collapsed onto one item is flagged in the tau table, the cost table and the findings.
        var flagged = results
        let first = try #require(flagged.runs.firstIndex { $0.k == 2 })
        flagged.runs[first].codes = CodeSummary(codes: Array(repeating: [0.97, 0.03], count: 12))
        for i in flagged.summaries.indices where flagged.summaries[i].k == 2 { flagged.summaries[i].collapsed[0] = true }
        let flaggedReadme = StudyReport(results: flagged, databasePath: "db.sqlite", commandLine: [], codeVersion: nil, machine: "test").readme
        #expect(flaggedReadme.contains("| COLLAPSED |") && flaggedReadme.contains(" †,"))
        #expect(flaggedReadme.contains("1 of 2 K-shot runs collapsed onto one item (\(flagged.runs[first].name)"))
        let notebook = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("study.ipynb"))) as? [String: Any]
        #expect(notebook?["nbformat"] as? Int == 4 && (notebook?["cells"] as? [Any])?.count == 6)
        // Snapshots carry the hours of training they cost, increasing with the epoch.
        let hours = results.snapshots.filter { $0.k == 1 && $0.truth == "cifar10-valid x-valid" }.sorted { $0.epoch < $1.epoch }.compactMap(\.trainingHours)
        #expect(hours.count == 3 && zip(hours, hours.dropFirst()).allSatisfy { $0 < $1 })
        // A K > 1 run's hours include the warm-up it shares with the one-shot run (its own log has no seconds for it).
        let sharedHours = results.snapshots.filter { $0.k == 2 && $0.truth == "cifar10-valid x-valid" }.sorted { $0.epoch < $1.epoch }
        #expect(sharedHours.first?.epoch == 1 && sharedHours.first?.trainingHours == hours.first)
        let hoursPlot = try String(contentsOf: out.appendingPathComponent("tau-vs-hours.svg"), encoding: .utf8)
        #expect(hoursPlot.contains("params (all paths)"))
        let summary = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8).split(separator: "\n")
        #expect(summary.count == 1 + 3 * 2)
        #expect(try String(contentsOf: out.appendingPathComponent("epochs.csv"), encoding: .utf8).split(separator: "\n").count == 1 + 6 * 3)
    }

    /// A study asked to stop (after 12 questions: mid-training or mid-evaluation) returns without a failure and with
    /// its work kept; run again it finishes every run.
    @Test func stoppedStudyKeepsItsWorkAndResumes() throws {
        let dir = SharedData.temporaryDirectory()
        let (data, splits) = SyntheticDatasetFiles.sharedCIFAR10
        let store = try store(at: dir.appendingPathComponent("db.sqlite").path)
        var plan = try StudyPlan.standard(preset: "tiny", dataset: .cifar10)
        plan.seeds = [0]
        plan.ks = [1]
        let runner = runner(plan, dir, data: data, splits: splits)
        let (truths, _) = try runner.prepareBenchmark(source: nil)
        try runner.recordBaselines()
        let asked = Atomic(0)
        try runner.runJobs(shouldStop: { asked.add(1, ordering: .relaxed).newValue > 12 })
        #expect(try !StudyResults.compute(plan: plan, store: store, groundTruths: truths).runs.allSatisfy(\.complete))
        try runner.runJobs()
        let results = try StudyResults.compute(plan: plan, store: store, groundTruths: truths)
        #expect(results.runs.count == 1 && results.runs.allSatisfy(\.complete))
        #expect(try store.runs(kind: .proxies).map(\.status) == [.finished])
        #expect(try store.estimates(run: try store.run(named: plan.runName(k: 1, seed: 0)).id, estimator: "supernet").count == 12)
    }

    /// One layout at a time (serialized): each is 116-154 MB on disk.
    @Test(.serialized, arguments: [(SyntheticDatasetFiles.Layout.cifar100, BenchmarkDataset.cifar100, "cifar-100-binary"),
                      (.imageNet16, .imageNet16, "ImageNet16")])
    func tinyStudyOnGeneratedLayouts(_ layout: SyntheticDatasetFiles.Layout, _ dataset: BenchmarkDataset, _ folder: String) throws {
        let dir = SharedData.temporaryDirectory()
        let splits = dir.appendingPathComponent("splits").path
        let data = try SyntheticDatasetFiles.write(layout, to: dir.appendingPathComponent(folder).path, splits: splits)
        defer { try? FileManager.default.removeItem(atPath: data) } // 116-154 MB, read by this test only
        let store = try store(at: dir.appendingPathComponent("db.sqlite").path)
        var plan = try StudyPlan.standard(preset: "tiny", dataset: dataset)
        plan.seeds = [0]
        let runner = runner(plan, dir, data: data, splits: splits)
        // The merged table has only x-test for these datasets: x-valid is left out with a note naming it.
        let (truths, notes) = try runner.prepareBenchmark(source: nil)
        #expect(truths == [GroundTruthColumn(dataset: dataset.rawValue, split: "x-test")])
        #expect(notes.count == 1 && notes[0].contains("x-valid"))
        try runner.recordBaselines()
        try runner.runJobs()
        let results = try StudyResults.compute(plan: plan, store: store, groundTruths: truths)
        #expect(results.runs.allSatisfy(\.complete) && results.summaries.count == 2 && results.paired.contains { $0.second == "K=1" })
        #expect(try store.runs(kind: .supernet).allSatisfy { try store.epochs(run: $0.id).count == plan.config(k: 1, seed: 0).epochs })
    }

    @Test func invalidPlansAndMissingGroundTruthAreNamed() throws {
        #expect(throws: StudyError.invalidPlan("unknown preset 'huge'; valid: tiny, small, medium, paper")) {
            try StudyPlan.standard(preset: "huge", dataset: .cifar10)
        }
        var plan = try StudyPlan.standard(preset: "small", dataset: .cifar10)
        #expect(plan.snapshotEpochs == [3, 6, 9, 12] && plan.ks == [1, 2, 4] && plan.seeds == [0, 1, 2])
        // The ranking preset: the curve over training on 200 paths, its supernets with the tuned sampling and clipping.
        let medium = try StudyPlan.standard(preset: "medium", dataset: .cifar10)
        #expect(medium.snapshotEpochs == [5, 10, 15, 20] && medium.snapshotPaths == 200)
        // Its epoch-5 snapshot lies inside the 10-epoch warm-up: the snapshot seed's warm-up job keeps it.
        #expect(medium.warmupSnapshotEpochs(seed: 0) == [5, 10] && medium.warmupSnapshotEpochs(seed: 1) == [10])
        let mediumConfig = medium.config(k: 2, seed: 1)
        #expect(mediumConfig.pathSampling == .nonIsomorphic && mediumConfig.gradientClip == 5 && mediumConfig.epochs == 25)
        #expect(mediumConfig.minimumLearningRate == mediumConfig.learningRate)
        // K > 1 trains with the K-shot options; the one-shot run has none, and both share the warm-up protocol.
        #expect(mediumConfig.itemGradient == .mergedRate && mediumConfig.codeBalance == 0.3 && mediumConfig.simplexImagesPerPath == 8)
        let mediumOneShot = medium.config(k: 1, seed: 1)
        #expect(mediumOneShot.itemGradient == nil && mediumOneShot.codeBalance == nil && mediumOneShot.simplexPaths == 16)
        #expect(mediumOneShot.warmupProtocol == mediumConfig.warmupProtocol)
        #expect(medium.fewShotEdge == 0 && medium.arms.map(\.label) == ["K=1", "K=2", "K=4", "few-shot e0"])
        try medium.validate()
        plan.ks = [2, 4]
        #expect(throws: StudyError.self) { try plan.validate() }
        plan.ks = [1, 2]
        plan.snapshotEpochs = [16]
        #expect(throws: StudyError.self) { try plan.validate() }

        let dir = SharedData.temporaryDirectory()
        _ = try BenchmarkStore(path: dir.appendingPathComponent("db.sqlite").path)
        let empty = runner(try StudyPlan.standard(preset: "tiny", dataset: .cifar10), dir, data: dir.path, splits: dir.path)
        do {
            _ = try empty.prepareBenchmark(source: nil)
            Issue.record("an empty database was accepted")
        } catch let error as StudyError {
            #expect(error.description.contains("--benchmark"))
        }
    }

    @Test func snapshotPathsAreEvenlySpacedThroughTheSelection() throws {
        var plan = try StudyPlan.standard(preset: "small", dataset: .cifar10)
        plan.snapshotPaths = 4
        #expect(plan.snapshotSubset(of: [9, 1, 7, 3, 5, 11, 13, 15]) == [1, 5, 9, 13])
        #expect(plan.snapshotSubset(of: [2, 1]) == [1, 2])
    }
}
