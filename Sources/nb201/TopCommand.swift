import ArgumentParser
import SearchSpace
import Store

struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "The best architectures for one dataset, split, hp and seed policy, with cost filters."
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var column: ColumnOptions
    @Option(help: "How many.") var k = 10
    @Option(help: "Largest parameter count, in millions.") var maxParams: Double?
    @Option(help: "Largest FLOPs, in millions (benchmark convention).") var maxFlops: Double?
    @Option(help: "Comma-separated ops a cell may use (default: all five).") var ops: String?
    @Option(help: "Comma-separated ops a cell must not use, e.g. none.") var excludeOps: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try requireAtLeast(1, ["--k": k])
        try reportingErrors {
            let store = try database.open(readOnly: true)
            var filter = ArchitectureFilter(maxParamsM: maxParams, maxFlopsM: maxFlops)
            if let ops { filter.allowedOps = Set(try parseOps(ops)) }
            if let excludeOps { filter.allowedOps.subtract(try parseOps(excludeOps)) }
            let result = try store.scores(dataset: column.dataset, split: column.split, hp: column.hp,
                                          seed: try column.seedPolicy(), filter: filter, limit: k)
            if json { return try printJSON(result) }
            for note in result.notes { print("note: \(note)") }
            print("\(result.dataset)  split \(result.split)  hp \(result.hp)  seed \(result.seed)")
            print(formatTable(["rank", "index", "accuracy", "params(M)", "flops(M)", "arch"], result.rows.enumerated().map {
                [String($0 + 1), String($1.index), format($1.accuracy, 4), format($1.paramsM, 6), format($1.flopsM, 5), $1.arch]
            }))
        }
    }

    private func parseOps(_ list: String) throws -> [Operation] {
        try list.split(separator: ",").map {
            let name = $0.trimmingCharacters(in: .whitespaces)
            guard let op = Operation(name: name) else {
                printError("unknown operation '\(name)'; valid: \(Operation.allNames.joined(separator: ", "))")
                throw ExitStatus.usage.code
            }
            return op
        }
    }
}
