import ArgumentParser
import Store

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "The experiments in the database: trainings, supernets, proxies, with their status and cost."
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only runs of this kind: \(RunKind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: RunKind?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let store = try database.open(readOnly: true)
            let runs = try store.runs(kind: kind)
            if json { return try printJSON(runs) }
            let estimateCounts = try store.estimatedArchitectureCounts()
            print(formatTable(["id", "kind", "name", "dataset", "seed", "status", "epochs", "images", "wall(s)", "archs estimated", "code"],
                              try runs.map { r in
                [String(r.id), r.kind.rawValue, r.name, r.dataset, String(r.seed), r.status.rawValue, String(try store.epochs(run: r.id).count),
                 String(r.imagesSeen), format(r.wallSeconds, 1), String(estimateCounts[r.id] ?? 0), r.codeVersion]
            }))
        }
    }
}
