import ArgumentParser
import Foundation

@main
struct NB201: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nb201",
        abstract: "NAS-Bench-201: benchmark store, CPU one-shot / K-shot supernets, ranking analysis.",
        subcommands: [
            ImportTableCommand.self, ImportCommand.self, QueryCommand.self, TopCommand.self, InfoCommand.self, SQLCommand.self,
            CostCommand.self, RankCommand.self, ReportCommand.self, TrainArchCommand.self, ReducedTrainCommand.self, TrainCommand.self, EvaluateCommand.self, RunsCommand.self, ProxiesCommand.self,
            ReproduceCommand.self, MergeCommand.self, CopyCommand.self,
        ]
    )

    @Flag(help: "Print the git commit nb201 was built from.") var version = false

    /// ArgumentParser ends its own usage errors with 64; nb201's policy gives every usage error 2 (ExitStatus).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(ExitStatus.usage.rawValue)
        }
    }

    func run() throws {
        guard version else { throw CleanExit.helpRequest(self) }
        print("nb201 \(codeVersion())")
    }
}
