import ArgumentParser
import Store

/// Options naming one ground-truth column: dataset, split, hp, seed policy. None has a hidden default.
struct ColumnOptions: ParsableArguments {
    @Option(help: "cifar10-valid, cifar10, cifar100 or ImageNet16-120.") var dataset: String?
    @Option(help: "train, x-valid, x-test or ori-test.") var split: String?
    @Option(help: "Training epochs: 12 or 200.") var hp: Int?
    @Option(help: "mean (of seeded runs, else a published mean), all, unknown, or a seed such as 777.") var seed: String?

    func seedPolicy() throws -> SeedPolicy? {
        guard let seed else { return nil }
        guard let p = SeedPolicy(seed) else {
            printError("invalid --seed '\(seed)'; valid: mean, all, unknown, or a seed number such as 777")
            throw ExitStatus.usage.code
        }
        return p
    }
}

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "One architecture's result: by index, arch string or op codes."
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Benchmark index (0-15624), arch string, or 6 op codes.") var arch: String
    @OptionGroup var column: ColumnOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let store = try database.open(readOnly: true)
            let index = try store.resolveArchitecture(arch)
            let answer = try store.query(arch: index, dataset: column.dataset, hp: column.hp, split: column.split,
                                         seed: try column.seedPolicy())
            if json { return try printJSON(answer) }
            for note in answer.notes { print("note: \(note)") }
            print("index     \(answer.index)")
            print("arch      \(answer.arch)")
            print("dataset   \(answer.dataset)   split \(answer.split)   hp \(answer.hp)   seed \(answer.seedPolicy)")
            if let acc = answer.accuracy { print("accuracy  \(format(acc, 5))   (\(answer.basis))") }
            if answer.trials.count > 1 || answer.accuracy == nil {
                print(formatTable(["seed", "epoch", "accuracy", "loss", "time"], answer.trials.map {
                    [$0.seed, String($0.epoch), format($0.accuracy, 5), format($0.loss), format($0.time, 2)]
                }))
            }
        }
    }
}
