import Foundation
import Store
import Testing
import TestSupport

/// One exit status per class of outcome (README, "Exit codes"), each from the real program: usage errors 2 (the argument
/// parser's own included, which would end with 64), bad input 3, missing data 4, failures 1; 0 for work done. (130 and
/// 143, stopped by a signal, are StopSignalTests'.)
@Suite struct ExitStatusTests {
    let fixtures = NB201Program.fixtures
    var dataOptions: [String] { ["--data", fixtures.data, "--splits", fixtures.splits] }

    private func expectStatus(_ outcome: NB201Program.Outcome, _ status: Int32, saying fragment: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.status == status, "exit \(outcome.status); stderr: \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(fragment), "stderr should say '\(fragment)': \(outcome.stderr)", sourceLocation: sourceLocation)
    }

    @Test func usageErrorsExit2() throws {
        let program = try NB201Program()
        expectStatus(try program.run(["query", "5", "--no-such-option"]), 2, saying: "Unknown option '--no-such-option'")
        expectStatus(try program.run(["no-such-command"]), 2, saying: "no-such-command")
        expectStatus(try program.run(["query", "999999", "--dataset", "cifar10"]), 2, saying: "unknown architecture '999999'")
        expectStatus(try program.run(["sql", "SELEC 1"]), 2, saying: "syntax error")
        expectStatus(try program.run(["train", "--dataset", "cifar10", "--preset", "tiny", "--k", "0"] + dataOptions), 2,
                     saying: "K must be at least 1")
    }

    @Test func badInputExits3() throws {
        let program = try NB201Program()
        let junk = program.directory.appendingPathComponent("junk.sqlite").path
        try "not a database".write(toFile: junk, atomically: true, encoding: .utf8)
        expectStatus(try program.run(["query", "5", "--db", junk]), 3, saying: "is not an nb201 SQLite database")
        let csv = program.directory.appendingPathComponent("bad.csv").path
        try "index,arch_str\n0,|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let outcome = try program.run(["import-table", csv, "--db", program.directory.appendingPathComponent("new.sqlite").path])
        #expect(outcome.status == 3, "exit \(outcome.status); stderr: \(outcome.stderr)")
    }

    @Test func missingDataExits4() throws {
        let program = try NB201Program()
        let absent = program.directory.appendingPathComponent("absent.sqlite").path
        expectStatus(try program.run(["query", "5", "--dataset", "cifar10", "--db", absent]), 4, saying: "cannot read \(absent)")
        let nowhere = program.directory.appendingPathComponent("no-images").path
        expectStatus(try program.run(["train", "--dataset", "cifar10", "--preset", "tiny", "--k", "1", "--data", nowhere, "--splits", fixtures.splits]),
                     4, saying: "no-images")
        expectStatus(try program.run(["evaluate", "--run", "no-such-run", "--archs", "sample:2"] + dataOptions), 4, saying: "no-such-run")
    }

    @Test func failuresExit1AndWorkDoneExits0() throws {
        let program = try NB201Program()
        let diverging = ["train-arch", "5", "--dataset", "cifar10", "--epochs", "1", "--C", "4", "--N", "1", "--batch", "32",
                         "--train-limit", "64", "--eval-limit", "32", "--lr", "1e30", "--quiet"] + dataOptions
        expectStatus(try program.run(diverging), 1, saying: "training diverged")
        #expect(try BenchmarkStore(path: program.database, readOnly: true).runs().map(\.status) == [.failed])
        #expect(try program.run(["query", "5", "--dataset", "cifar10"]).status == 0)
        // The largest seed is a seed like any other (it trapped in Int(seed) once).
        let largest = try program.run(["train", "--dataset", "cifar10", "--preset", "tiny", "--k", "1", "--epochs", "1",
                                       "--seed", "18446744073709551615", "--quiet"] + dataOptions)
        #expect(largest.status == 0, "\(largest.stderr)")
        #expect(try program.run(["runs", "--kind", "supernet", "--json"]).stdout.contains(#""seed":18446744073709551615"#))
    }
}
