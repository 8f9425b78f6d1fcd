import Foundation
import Store
import Testing
import TestSupport

/// Bad input to the real program, as a new user types it: a clear error naming the value and what is valid, exit
/// code 2 (3 where a file is bad), and nothing left behind (no run, no database file).
@Suite struct CLIBadInputTests {
    let fixtures = NB201Program.fixtures
    var dataOptions: [String] { ["--data", fixtures.data, "--splits", fixtures.splits] }

    private func expectRefused(_ outcome: NB201Program.Outcome, status: Int32 = 2, saying fragment: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.status == status, "exit \(outcome.status); stderr: \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(fragment), "stderr should say '\(fragment)': \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(!outcome.stderr.contains("Fatal error") && !outcome.stderr.contains("Backtrace"), sourceLocation: sourceLocation)
    }

    private func runs(_ program: NB201Program) throws -> [String] {
        try BenchmarkStore(path: program.database, readOnly: true).runs().map { "\($0.name) \($0.status)" }
    }

    @Test func countsBelowOneAreRefusedBeforeAnyRunIsRecorded() throws {
        let program = try NB201Program()
        let trainArch = ["train-arch", "5", "--dataset", "cifar10", "--epochs", "1", "--C", "4", "--N", "1"] + dataOptions
        expectRefused(try program.run(trainArch + ["--epochs", "0"]), saying: "epochs must be at least 1, got 0")
        expectRefused(try program.run(trainArch + ["--batch", "0"]), saying: "batch size must be at least 1, got 0")
        let proxies = ["proxies", "--dataset", "cifar10", "--archs", "sample:3"] + dataOptions
        expectRefused(try program.run(proxies + ["--batch", "0"]), saying: "--batch 0 is invalid")
        let train = ["train", "--dataset", "cifar10", "--preset", "tiny", "--k", "1"] + dataOptions
        expectRefused(try program.run(train + ["--k", "0"]), saying: "K must be at least 1, got 0")
        expectRefused(try program.run(train + ["--epochs", "0"]), saying: "epoch budget must be at least 1, got 0")
        expectRefused(try program.run(["top", "--dataset", "cifar10", "--k", "0"]), saying: "--k 0 is invalid")
        expectRefused(try program.run(["top", "--dataset", "cifar10", "--k=-3"]), saying: "--k -3 is invalid")
        expectRefused(try program.run(["cost", "333132", "--C", "0"]), saying: "--C 0 is invalid")
        #expect(try runs(program).isEmpty)
    }

    @Test func proxiesWithoutTheirImagesLeaveNoRun() throws {
        let program = try NB201Program()
        let missing = program.directory.appendingPathComponent("no-such-folder").path
        let outcome = try program.run(["proxies", "--dataset", "cifar10", "--archs", "sample:3", "--data", missing, "--splits", fixtures.splits])
        #expect(outcome.status != 0 && outcome.stderr.contains("no-such-folder"), "exit \(outcome.status); \(outcome.stderr)")
        #expect(try runs(program).isEmpty)
    }

    @Test func selectionsQueriesAndStatementsThatCannotWork() throws {
        let program = try NB201Program()
        expectRefused(try program.run(["proxies", "--dataset", "cifar10", "--archs", "sample:99999"] + dataOptions),
                      saying: "sample:99999 asks for more isomorphism classes than the database holds")
        expectRefused(try program.run(["query", "5", "--dataset", "cifar10", "--split", "x-valid"]),
                      saying: "cifar10 (hp 200) has no split 'x-valid' stored; its splits: ori-test; 'x-valid' is stored for cifar10-valid")
        expectRefused(try program.run(["query", "5", "--dataset", "cifar10", "--split", "ori-test", "--hp", "200", "--seed", "mean", "--curve", "loss"]),
                      status: 4, saying: "curves come with the official files")
        expectRefused(try program.run(["sql", ""]), saying: "no SQL statement")
        #expect(try runs(program).isEmpty)
        let version = try program.run(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("nb201 "), "\(version.stdout) \(version.stderr)")
    }

    /// `query --curve` prints the stored per-epoch curve of each trial shown (the two real NATS-Bench files).
    @Test func queryPrintsTheStoredCurves() throws {
        guard let nats = SharedData.path("nats-tss") else { print("skipped: ../shared/data/nats-tss absent"); return }
        let program = try NB201Program()
        let db = program.directory.appendingPathComponent("nats.sqlite").path
        #expect(try program.run(["import", nats, "--db", db, "--quiet"]).status == 0)
        let query = ["query", "0", "--db", db, "--dataset", "cifar10-valid", "--split", "x-valid", "--hp", "12", "--seed", "all", "--curve", "accuracy"]
        let outcome = try program.run(query)
        let lines = outcome.stdout.split(separator: "\n")
        #expect(outcome.status == 0 && lines.contains("accuracy per epoch:"), "\(outcome.stdout) \(outcome.stderr)")
        // 12 epochs, a column per seed; the last epoch's values are the final accuracies the query prints above them.
        let rows = lines.drop { $0 != "accuracy per epoch:" }.dropFirst(2)
        #expect(rows.count == 12 && rows.last!.hasPrefix("11 ") && rows.last!.contains("64.01600") && rows.last!.contains("62.71200"))
        let json = try program.run(query + ["--json"])
        #expect(json.status == 0 && json.stdout.contains("\"curves\":[{\"seed\":\"111\""))
    }

    /// A failed import into a new database removes the file it created; a bad table never lands in an existing one.
    @Test func failedImportLeavesNoDatabaseFile() throws {
        let program = try NB201Program()
        let bad = program.directory.appendingPathComponent("bad.csv").path
        let lines = try String(contentsOfFile: fixtures.truth, encoding: .utf8).split(separator: "\n").map(String.init)
        var fields = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[3] = "250"
        try ([lines[0], fields.joined(separator: ",")] + lines[2...]).joined(separator: "\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let fresh = program.directory.appendingPathComponent("new.sqlite").path
        let outcome = try program.run(["import-table", bad, "--partial", "--db", fresh])
        expectRefused(outcome, status: 3, saying: "accuracy 250 is outside 0...100")
        let left = try FileManager.default.contentsOfDirectory(atPath: program.directory.path).filter { $0.hasPrefix("new.sqlite") }
        #expect(left.isEmpty, "left behind: \(left)")
    }

    /// Checkpoints go beside the database, not into the working directory; split files come from $NB201_SPLITS.
    @Test func defaultsDoNotDependOnTheWorkingDirectory() throws {
        let program = try NB201Program()
        let elsewhere = SharedData.temporaryDirectory()
        let train = ["train", "--dataset", "cifar10", "--preset", "tiny", "--k", "1", "--epochs", "1", "--data", fixtures.data]
        let outcome = try program.run(train, environment: ["NB201_SPLITS": fixtures.splits], in: elsewhere)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        #expect(FileManager.default.fileExists(atPath: program.database + ".checkpoints/supernet-cifar10-tiny-k1-s0.ckpt"))
    }
}
