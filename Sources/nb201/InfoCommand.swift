import ArgumentParser
import Importers
import Store

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "What the database holds: architectures, coverage per dataset/hp/seed, imported sources."
    )

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Add the data-quality report: seed coverage, architectures missing seeds, cost disagreements, importer notes.")
    var quality = false
    @Flag(help: "Print JSON.") var json = false

    struct Info: Codable {
        let path: String
        let schemaVersion: Int
        let architectures: Int
        let coverage: [BenchmarkStore.Coverage]
        let sources: [BenchmarkStore.Source]
        let quality: DataQuality?
    }

    func run() throws {
        try reportingErrors {
            let store = try database.open(readOnly: true)
            let info = Info(path: database.db, schemaVersion: store.schemaVersion, architectures: store.architectureCount,
                            coverage: try store.coverage(), sources: try store.sources(),
                            quality: quality ? try DataQuality.report(store) : nil)
            if json { return try printJSON(info) }
            print("database      \(info.path) (schema version \(info.schemaVersion))")
            print("architectures \(info.architectures) of 15625")
            print("\ncoverage (architectures with results):")
            print(formatTable(["dataset", "hp", "seed", "archs", "splits"], info.coverage.map {
                [$0.dataset, String($0.hp), $0.seed, String($0.architectures), $0.splits]
            }))
            print("\nsources:")
            print(formatTable(["id", "kind", "bytes", "sha256", "imported", "rows", "path"], info.sources.map {
                [String($0.id), $0.kind, String($0.sizeBytes), String($0.sha256.prefix(12)), $0.importedAt, $0.rowCounts, $0.path]
            }))
            guard let q = info.quality else { return }
            print("\nseed coverage (seeded runs only):")
            print(formatTable(["dataset", "hp", "seed", "archs"], q.seedCoverage.map { [$0.dataset, String($0.hp), $0.seed, String($0.architectures)] }))
            print("\narchitectures missing a seed:")
            print(q.missingSeeds.isEmpty ? "none" : formatTable(["dataset", "hp", "seeds present", "archs lacking one", "examples"], q.missingSeeds.map {
                [$0.dataset, String($0.hp), $0.seeds.joined(separator: ","), String($0.architectures), $0.examples.map(String.init).joined(separator: ",")]
            }))
            print("\nparams/flops disagreeing between seeds: \(q.costDisagreements) (arch, dataset, hp) groups")
            print("accuracies outside 0...100 percent: \(q.accuraciesOutOfRange) results"
                  + (q.accuracyExamples.isEmpty ? "" : " (architectures \(q.accuracyExamples.map(String.init).joined(separator: ",")))"))
            print("\nimporter notes:")
            print(q.notes.isEmpty ? "none" : formatTable(["count", "note", "examples"], q.notes.map {
                [String($0.count), $0.note, $0.examples.map(String.init).joined(separator: ",")]
            }))
        }
    }
}
