import ArgumentParser
import Store

struct ImportTableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-table",
        abstract: "Import a per-architecture CSV table (the ground-truth layouts in data/SCHEMA.md) in one transaction."
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "CSV file.") var file: String
    @Flag(help: "Accept a table that does not cover all 15,625 architectures.") var partial = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            try database.importing { store in
                let summary = try store.importTable(path: file, allowPartial: partial)
                if json { return try printJSON(summary) }
                if summary.alreadyImported {
                    print("\(file): already imported (same checksum); nothing to do")
                } else {
                    print("\(file): layout \(summary.layout): \(summary.architectures) architectures, \(summary.trials) trials, "
                          + "\(summary.results) results in \(format(summary.seconds, 3)) s")
                }
            }
        }
    }
}
