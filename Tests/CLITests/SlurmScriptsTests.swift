import Foundation
import Store
import Testing
import TestSupport

/// What `nb201 reproduce --emit-slurm` writes, without a Slurm: the scripts of the `medium` study (the ranking protocol,
/// with its few-shot arm) are valid bash, carry the resources and pass-through options asked for, chain their jobs, and
/// every training task's options open the run registered for it (the same protocol), so no job trains under another.
@Suite struct SlurmScriptsTests {
    let fixtures = NB201Program.fixtures

    @Test func mediumStudyScriptsChainTheirJobsAndTrainTheRegisteredRuns() throws {
        let program = try NB201Program()
        let study = program.directory.appendingPathComponent("study")
        let emit = ["reproduce", "--preset", "medium", "--seeds", "0", "--archs", "sample:40", "--emit-slurm", study.path, "--shards", "3",
                    "--partition", "cpu", "--account", "nas-project", "--mem", "3G", "--time-train", "3:00:00", "--quiet",
                    "--data", fixtures.data, "--splits", fixtures.splits]
        let emitted = try program.run(emit)
        #expect(emitted.status == 0, "\(emitted.stderr)")
        func text(_ name: String) throws -> String { try String(contentsOf: study.appendingPathComponent(name), encoding: .utf8) }
        for script in ["study.env", "train.sbatch", "evaluate.sbatch", "proxies.sbatch", "merge.sbatch", "report.sbatch", "submit.sh"] {
            #expect(try LocalSlurm.command("/bin/bash", ["-n", study.appendingPathComponent(script).path]).status == 0, "\(script) is not valid bash")
            let body = try text(script)
            #expect(script == "study.env" || script == "submit.sh" || body.contains("#SBATCH --partition=cpu\n#SBATCH --account=nas-project"), "\(script)")
        }
        let train = try text("train.sbatch")
        for line in ["--array=0-3", "--cpus-per-task=1", "--mem=3G", "--time=3:00:00", "--signal=B:INT@120", "--requeue"] {
            #expect(train.contains("#SBATCH \(line)\n"), "train.sbatch lacks \(line)")
        }
        // Measured cost: 25 epochs of 25,000 images (K > 1 with a simplex-net step every 4th), 14 paths x (1 + 4 snapshots) per shard.
        let evaluate = try text("evaluate.sbatch")
        #expect(evaluate.contains("#SBATCH --array=0-2\n") && evaluate.contains("#SBATCH --time=00:15:00\n") && evaluate.contains("--kill-on-invalid-dep=yes"))
        #expect(try text("merge.sbatch").contains("--kill-on-invalid-dep=yes") && text("report.sbatch").contains("--kill-on-invalid-dep=yes"))
        #expect(try text("submit.sh").contains("afterok:${train}_3 evaluate.sbatch supernet-cifar10-medium-fewshot-e0-s0)\n"))
        #expect(try text("paths.txt").split(separator: "\n").count == 40)
        let base = try BenchmarkStore(path: study.appendingPathComponent("base.sqlite").path, readOnly: true)
        #expect(try base.runs().map(\.kind.rawValue).sorted() == ["baseline", "proxies", "supernet", "supernet", "supernet", "supernet"])

        // Each task's options, run against data that is not there: the registered run opens (no other protocol) and
        // the command fails on the data only.
        let tasks = train.split(separator: "\n").filter { $0.contains(") RUN=") }
        #expect(tasks.count == 4 && tasks.last!.contains("--method few-shot --split-edge 0"))
        for task in tasks {
            let options = task.split(separator: "\"")[1].split(separator: " ").map(String.init)
            let outcome = try program.run(["train", "--dataset", "cifar10", "--preset", "medium"] + options
                                          + ["--data", program.directory.appendingPathComponent("missing").path, "--splits", fixtures.splits],
                                          environment: ["NB201_DB": study.appendingPathComponent("base.sqlite").path])
            #expect(outcome.status != 0 && !outcome.stderr.contains("protocol") && outcome.stderr.contains("missing"), "\(task): \(outcome.stderr)")
        }
        // Resources sbatch would not read are refused before the study is written.
        let refused = try program.run(["reproduce", "--preset", "tiny", "--emit-slurm", program.directory.appendingPathComponent("other").path,
                                       "--mem", "4 GB", "--data", fixtures.data, "--splits", fixtures.splits])
        #expect(refused.status == 2 && refused.stderr.contains("--mem '4 GB' is not what sbatch reads there"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: program.directory.appendingPathComponent("other").path))
    }
}
