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
    @Option(help: "Also print this per-epoch curve (accuracy, loss or time) of each trial shown; curves come with the official files (nb201 import), not with a ground-truth table.")
    var curve: CurveMetric?
    @Flag(help: "Print JSON.") var json = false

    enum CurveMetric: String, ExpressibleByArgument, CaseIterable { case accuracy, loss, time }

    /// A curve in JSON: null where the split was not evaluated that epoch (JSON has no NaN).
    struct CurveJSON: Encodable {
        let seed: String
        let values: [Double?]
    }

    func run() throws {
        try reportingErrors {
            let store = try database.open(readOnly: true)
            let index = try store.resolveArchitecture(arch)
            let answer = try store.query(arch: index, dataset: column.dataset, hp: column.hp, split: column.split,
                                         seed: try column.seedPolicy())
            let seeds = Set(answer.trials.map(\.seed))
            let curves = try curve.map { metric in
                let stored = try store.curves(arch: index, dataset: answer.dataset, hp: answer.hp, split: answer.split, metric: metric.rawValue)
                    .filter { seeds.contains($0.seed) }
                guard !stored.isEmpty else {
                    throw StoreError.noData("no per-epoch \(metric.rawValue) curve stored for architecture \(index) on \(answer.dataset) \(answer.split), hp \(answer.hp): curves come with the official files (nb201 import DIR), a ground-truth table holds final results only")
                }
                return stored
            }
            if json {
                guard let curves else { return try printJSON(answer) }
                struct Answer: Encodable { let query: QueryAnswer; let curves: [CurveJSON] }
                return try printJSON(Answer(query: answer, curves: curves.map { c in
                    CurveJSON(seed: c.seed, values: c.values.map { $0.isNaN ? nil : $0 })
                }))
            }
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
            if let curves, let metric = curve {
                // One row per epoch, one column per seed; "-" where the split was not evaluated that epoch.
                let epochs = curves.map(\.values.count).max() ?? 0
                print("\(metric.rawValue) per epoch:")
                print(formatTable(["epoch"] + curves.map { "seed \($0.seed)" }, (0..<epochs).map { e in
                    [String(e)] + curves.map { c in e < c.values.count && !c.values[e].isNaN ? format(c.values[e], 5) : "-" }
                }))
            }
        }
    }
}
