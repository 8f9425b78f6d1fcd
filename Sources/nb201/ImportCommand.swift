import ArgumentParser
import Foundation
import Importers
import Pickle
import Store

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the official benchmark files: a NATS-Bench simple directory, the NATS single file, or NB201 v1.0/v1.1 .pth.",
        discussion: "The layout is recognised from the contents. Re-importing a file with the same checksum does nothing; "
            + "an interrupted directory import resumes where it stopped."
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "A NATS-tss simple directory, a .pickle.pbz2 file or a .pth file.") var path: String
    @Flag(help: "No progress on stderr.") var quiet = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            do {
                try database.importing { store in
                    let summary = try OfficialImport.run(path: path, into: store, progress: !quiet)
                    if json { return try printJSON(summary) }
                    print("\(path): \(summary.layout): \(summary.filesImported) file(s) imported, \(summary.filesSkipped) already present; "
                          + "\(summary.architectures) architectures, \(summary.trials) trials, \(summary.results) results, "
                          + "\(summary.curves) curves in \(format(summary.seconds, 1)) s")
                }
            } catch let e as PickleError {
                printError("\(path): \(e.description)")
                throw ExitStatus.of(e).code
            }
        }
    }
}
