import Foundation
import Store
import Testing

/// Ctrl-C (SIGINT) and SIGTERM sent to the real program mid-stage: it stops within seconds with 130 / 143, says what
/// it kept, and the same command run again finishes the work.
@Suite(.serialized) struct StopSignalTests {
    let fixtures = NB201Program.fixtures
    var dataOptions: [String] { ["--data", fixtures.data, "--splits", fixtures.splits] }

    private func expectStopped(_ outcome: NB201Program.Outcome, status: Int32) {
        #expect(outcome.status == status, "exit \(outcome.status); stderr: \(outcome.stderr)")
        #expect((outcome.secondsAfterSignal ?? .infinity) < 10, "stopped \(outcome.secondsAfterSignal ?? -1) s after the signal")
        #expect(outcome.stderr.contains("interrupted: kept") && outcome.stderr.contains("run the same command again to resume"),
                "stderr: \(outcome.stderr)")
    }

    private func expectFinished(_ outcome: NB201Program.Outcome) {
        #expect(outcome.status == 0, "exit \(outcome.status); stderr: \(outcome.stderr)")
    }

    private let tinyTrain = ["train", "--dataset", "cifar10", "--k", "2", "--preset", "tiny"]

    @Test func trainStopsOnSIGINTAndResumes() throws {
        let program = try NB201Program()
        let train = tinyTrain + ["--epochs", "8", "--warmup", "0"] + dataOptions
        expectStopped(try program.run(train, signals: [SIGINT], when: "epochs"), status: 130)
        let store = try BenchmarkStore(path: program.database, readOnly: true)
        let run = try store.run(named: "supernet-cifar10-tiny-k2-s0")
        #expect(try store.epochs(run: run.id).count < 8)
        let resumed = try program.run(train)
        expectFinished(resumed)
        #expect(resumed.stdout.contains("trained 8/8 epochs"), "\(resumed.stdout)")
        #expect(try store.epochs(run: run.id).count == 8)
    }

    /// SIGTERM mid-epoch, as Slurm sends it on pre-emption, scancel or time-out: `train` checkpoints its exact position at
    /// the next batch and exits 143, and the same command run again ends with the bits of a run never stopped (the final
    /// checkpoints, weights, momenta, BatchNorm statistics and counters, are byte for byte the same).
    @Test func trainStoppedBySIGTERMMidEpochResumesToTheSameBits() throws {
        // 32 batches per epoch; the signal comes once the first (warm-up) epoch is logged.
        let train = tinyTrain + ["--epochs", "2", "--train-subset", "1024"] + dataOptions
        let checkpoint = { (program: NB201Program) in program.database + ".checkpoints/supernet-cifar10-tiny-k2-s0.ckpt" }
        let whole = try NB201Program()
        expectFinished(try whole.run(train))
        // A signal that lands in an epoch's last batch stops at the epoch's end: then again, in a fresh folder.
        var program = try NB201Program(), stopped = try program.run(train, signals: [SIGTERM], when: "epochs")
        for _ in 0..<3 where stopped.status == 143 && !stopped.stdout.contains("batches of the next") {
            program = try NB201Program()
            stopped = try program.run(train, signals: [SIGTERM], when: "epochs")
        }
        expectStopped(stopped, status: 143)
        #expect(stopped.stdout.contains("trained 1/2 epochs and "), "\(stopped.stdout)")
        let resumed = try program.run(train)
        expectFinished(resumed)
        #expect(resumed.stdout.contains("trained 2/2 epochs"), "\(resumed.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint(program))) == Data(contentsOf: URL(fileURLWithPath: checkpoint(whole))))
    }

    @Test func evaluateStopsOnSIGTERMAndResumes() throws {
        let program = try NB201Program()
        expectFinished(try program.run(tinyTrain + dataOptions))
        let evaluate = ["evaluate", "--run", "supernet-cifar10-tiny-k2-s0", "--archs", "sample:40", "--calibration-batches", "1",
                        "--validation-images", "250"] + dataOptions
        expectStopped(try program.run(evaluate, signals: [SIGTERM], when: "paths"), status: 143)
        let store = try BenchmarkStore(path: program.database, readOnly: true)
        let run = try store.run(named: "supernet-cifar10-tiny-k2-s0")
        let kept = try store.estimates(run: run.id).count
        #expect(kept >= 1 && kept < 40)
        let resumed = try program.run(evaluate)
        expectFinished(resumed)
        #expect(resumed.stdout.contains("\(40 - kept) estimated now"), "\(resumed.stdout)")
        #expect(try store.estimates(run: run.id).count == 40)
    }

    /// A second Ctrl-C exits at once (the first one asked to stop after the path in progress; a path of 10,000 images
    /// takes ~0.5 s here, well over the 0.1 s between the two: 2,000 took 0.1 s and raced), and everything saved is
    /// still resumed.
    @Test func secondCtrlCExitsAtOnce() throws {
        let program = try NB201Program()
        expectFinished(try program.run(tinyTrain + dataOptions))
        let evaluate = ["evaluate", "--run", "supernet-cifar10-tiny-k2-s0", "--archs", "sample:6", "--validation-images", "10000"] + dataOptions
        let twice = try program.run(evaluate, signals: [SIGINT, SIGINT], when: "paths")
        #expect(twice.status == 130 && twice.stderr.contains("again: exiting now"), "exit \(twice.status); stderr: \(twice.stderr)")
        #expect(!twice.stderr.contains("interrupted: kept"))
        expectFinished(try program.run(evaluate))
    }

    @Test func proxiesStopOnSIGINTAndResume() throws {
        let program = try NB201Program()
        let proxies = ["proxies", "--dataset", "cifar10", "--archs", "sample:100", "--C", "4", "--N", "1", "--batch", "16",
                       "--name", "proxies"] + dataOptions
        expectStopped(try program.run(proxies, signals: [SIGINT], when: "archs"), status: 130)
        let store = try BenchmarkStore(path: program.database, readOnly: true)
        let run = try store.run(named: "proxies")
        #expect(run.status == .running)
        let kept = Set(try store.estimates(run: run.id).map(\.arch)).count
        #expect(kept >= 1 && kept < 100)
        let resumed = try program.run(proxies)
        expectFinished(resumed)
        #expect(resumed.stdout.contains("(\(100 - kept) now, \(kept) before)"), "\(resumed.stdout)")
        #expect(try store.run(named: "proxies").status == .finished)
    }

    @Test func trainArchStopsOnSIGTERMAndResumes() throws {
        let program = try NB201Program()
        let trainArch = ["train-arch", "5", "--dataset", "cifar10", "--epochs", "2", "--C", "4", "--N", "1", "--batch", "32",
                         "--train-limit", "1600", "--eval-limit", "100", "--name", "arch"] + dataOptions
        expectStopped(try program.run(trainArch, signals: [SIGTERM], when: "steps"), status: 143)
        let store = try BenchmarkStore(path: program.database, readOnly: true)
        #expect(try store.run(named: "arch").status == .running)
        let resumed = try program.run(trainArch)
        expectFinished(resumed)
        let run = try store.run(named: "arch")
        #expect(run.status == .finished && run.imagesSeen == 2 * 1600)
        #expect(try store.epochs(run: run.id).count == 2)
    }

    @Test func reproduceStopsOnSIGINTWithoutAReportAndResumes() throws {
        let program = try NB201Program()
        let out = program.directory.appendingPathComponent("report").path
        let reproduce = ["reproduce", "--preset", "tiny", "--seeds", "0", "--ks", "1", "--archs", "sample:40", "--jobs", "1",
                         "--out", out] + dataOptions
        let stopped = try program.run(reproduce, signals: [SIGINT], when: "evaluate ")
        expectStopped(stopped, status: 130)
        #expect(!FileManager.default.fileExists(atPath: out))
        let resumed = try program.run(reproduce)
        expectFinished(resumed)
        #expect(resumed.stdout.contains("1/1 runs complete"), "\(resumed.stdout)")
    }
}
