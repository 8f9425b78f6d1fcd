import ArgumentParser
import Foundation
import Store

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the runs, epoch logs and estimates of other databases (e.g. a Slurm study's job files) into one.",
        discussion: """
            Runs are matched by name; a run's wall time and images are its own plus each input file's (a file is known by \
            its name, so merging it again replaces its part: running the same merge twice changes nothing). Files that \
            disagree (another protocol for a run, another estimate of a path, another logged epoch) are refused with a \
            message naming both, and nothing is merged. OUT must hold the benchmark the estimates refer to; a missing OUT \
            starts from the first input's benchmark tables. Accounting rules: data/SCHEMA.md (run_parts).
            Example: nb201 merge study.sqlite jobs/*.sqlite
            """
    )

    @Argument(help: "The database to merge into.") var out: String
    @Argument(help: "The databases to merge in.") var inputs: [String] = []
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard let first = inputs.first else {
            printError("nothing to merge: give the databases to merge into \(out)")
            throw ExitCode(2)
        }
        try reportingErrors {
            let report = try BenchmarkStore.mergeTarget(path: out, benchmarkFrom: first).merge(inputs)
            if json { return try printJSON(report) }
            print("\(out): merged \(report.files) files holding \(report.runs) runs (\(report.newRuns) new here); added \(report.epochs) epochs and \(report.estimates) estimates")
        }
    }
}

struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy the database to DEST atomically: a consistent snapshot into a temporary file beside DEST, then a rename.",
        discussion: """
            How a job on local scratch hands its database back to a shared file system: a plain cp of a database in WAL \
            mode can miss what is still in its -wal file, and a reader never sees half a copy. DEST is replaced; a DEST \
            that is open in WAL mode (DEST-wal exists) is refused.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Where the copy goes.") var destination: String

    func run() throws {
        try reportingErrors {
            try database.open().copy(to: destination)
            print("\(database.db) -> \(destination)")
        }
    }
}
