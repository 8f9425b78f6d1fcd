import Foundation
import Store
import Testing
import TestSupport

/// The tiny study through a real single-node Slurm (LocalSlurm): `nb201 reproduce --emit-slurm` writes the jobs,
/// submit.sh submits them (training array, 4 evaluation shards per run, proxies, merge, report), and the merged
/// database holds bit for bit the estimates of the same study run in one process. A failed task cancels its dependants.
@Suite(.serialized) struct SlurmTests {
    let fixtures = NB201Program.fixtures
    var dataOptions: [String] { ["--data", fixtures.data, "--splits", fixtures.splits] }

    /// Runs DIR/submit.sh; returns the job ids it printed (training, proxies, each run's evaluation, merge, report).
    private func submit(_ study: URL, slurm: LocalSlurm, scratch: URL) throws -> (train: String, proxies: String, evaluations: [String], merge: String, report: String) {
        let outcome = try LocalSlurm.command(study.appendingPathComponent("submit.sh").path, [],
                                             environment: slurm.environment.merging(["TMPDIR": scratch.path]) { $1 })
        let words = outcome.output.split(whereSeparator: { " ,\n".contains($0) }).map(String.init)
        func after(_ label: String) -> String? { words.firstIndex(of: label).map { words[$0 + 1] } }
        guard outcome.status == 0, let train = after("training"), let proxies = after("proxies"), let evaluations = after("evaluation"),
              let merge = after("merge"), let report = after("report") else {
            throw LocalSlurm.SetupError("submit.sh failed (exit \(outcome.status)): \(outcome.output)")
        }
        return (train, proxies, evaluations.split(separator: ":").map(String.init), merge, report)
    }

    /// (run, estimator, path) -> the estimate's bits: score, accuracy, loss and details.
    private func estimates(_ path: String) throws -> [String: [UInt64?]] {
        let store = try BenchmarkStore(path: path, readOnly: true)
        var all: [String: [UInt64?]] = [:]
        for run in try store.runs() {
            for e in try store.estimates(run: run.id) {
                all["\(run.name) \(e.estimator) \(e.arch) \(e.detailsJSON)"] = [e.score.bitPattern, e.accuracy?.bitPattern, e.loss?.bitPattern]
            }
        }
        return all
    }

    @Test func tinyStudyOnALocalSlurmEqualsOneProcessAndAFailedTaskCancelsItsDependants() throws {
        let slurm = try LocalSlurm.start()
        defer { slurm.stop() }
        let program = try NB201Program()
        let scratch = program.directory.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let study = program.directory.appendingPathComponent("study")
        let emitted = try program.run(["reproduce", "--preset", "tiny", "--emit-slurm", study.path, "--shards", "4", "--quiet"] + dataOptions)
        #expect(emitted.status == 0 && emitted.stdout.contains("4 training tasks"), "exit \(emitted.status): \(emitted.stderr)")
        let jobs = try submit(study, slurm: slurm, scratch: scratch)
        #expect(jobs.evaluations.count == 4)

        // The same study in one process, meanwhile.
        let single = try NB201Program()
        let alone = try single.run(["reproduce", "--preset", "tiny", "--jobs", "2", "--quiet", "--out", single.directory.appendingPathComponent("report").path] + dataOptions)
        #expect(alone.status == 0 && alone.stdout.contains("4/4 runs complete"), "exit \(alone.status): \(alone.stderr)")

        let ended = try slurm.waitForEnd(of: [jobs.train, jobs.proxies] + jobs.evaluations + [jobs.merge, jobs.report], limit: 300)
        // 4 training tasks, the proxies, 4 x 4 shards, the merge and the report.
        #expect(ended.count == 4 + 1 + 16 + 2 && ended.allSatisfy { $0.state == "COMPLETED" },
                "\(ended.filter { $0.state != "COMPLETED" }); logs in \(study.path)/logs")
        let merged = study.appendingPathComponent("study.sqlite").path
        let expected = try estimates(single.database)
        // Every run's 12 paths and the first seed's 6 paths at 2 snapshots; the baselines and proxies besides.
        #expect(expected.keys.filter { $0.contains(" supernet") }.count == 4 * 12 + 2 * 2 * 6 && expected.count > 4 * 12 + 2 * 2 * 6 + 2 * 12)
        #expect(try estimates(merged) == expected)
        #expect(FileManager.default.fileExists(atPath: study.appendingPathComponent("report/README.md").path))

        // Merging the job files again changes nothing.
        let jobFiles = try FileManager.default.contentsOfDirectory(atPath: study.appendingPathComponent("jobs").path).sorted()
            .map { study.appendingPathComponent("jobs/\($0)").path }
        #expect(jobFiles.count == 4 + 16 + 1)
        let runsBefore = try BenchmarkStore(path: merged, readOnly: true).runs()
        let again = try program.run(["merge", merged] + jobFiles)
        #expect(again.status == 0 && again.stdout.contains("added 0 epochs and 0 estimates"), "\(again.stdout) \(again.stderr)")
        #expect(try BenchmarkStore(path: merged, readOnly: true).runs() == runsBefore)

        // The same study with its data gone (study.env edited): the training tasks and the proxies fail, and Slurm cancels
        // every job waiting for them instead of leaving it pending.
        let broken = program.directory.appendingPathComponent("broken")
        #expect(try program.run(["reproduce", "--preset", "tiny", "--emit-slurm", broken.path, "--quiet"] + dataOptions).status == 0)
        let environment = broken.appendingPathComponent("study.env")
        let settings = try String(contentsOf: environment, encoding: .utf8)
        try settings.replacingOccurrences(of: "DATA=\(fixtures.data)", with: "DATA=\(broken.path)/missing").write(to: environment, atomically: true, encoding: .utf8)
        let failing = try submit(broken, slurm: slurm, scratch: scratch)
        let dependants = failing.evaluations + [failing.merge, failing.report]
        let outcome = try slurm.waitForEnd(of: [failing.train, failing.proxies] + dependants, limit: 120)
        #expect(try [failing.train, failing.proxies].flatMap(slurm.jobs).allSatisfy { $0.state == "FAILED" }, "\(outcome)")
        let cancelled = try dependants.flatMap(slurm.jobs)
        // (An array cancelled before it started is one record.)
        #expect(cancelled.count >= dependants.count && cancelled.allSatisfy { $0.state == "CANCELLED" && $0.reason == "DependencyNeverSatisfied" },
                "\(cancelled)")
    }
}
