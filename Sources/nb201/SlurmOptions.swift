import ArgumentParser
import Foundation
import Study

/// `nb201 reproduce --emit-slurm DIR`: where the study's sbatch scripts go and what each job asks Slurm for (README,
/// "On a Slurm cluster"). Resources default to the preset's measured cost; each option overrides one.
struct SlurmOptions: ParsableArguments {
    @Option(help: "Write the study as Slurm sbatch scripts into this folder (on a file system every node sees) instead of running it; DIR/submit.sh submits them.")
    var emitSlurm: String?
    @Option(help: "Slurm: evaluation shards per run (each an array task).") var shards = 4
    @Option(help: "Slurm: cores per job (default 1; 4 at the benchmark's C=16 N=5 shape).") var cpusPerTask: Int?
    @Option(help: "Slurm: memory per job as sbatch --mem reads it, e.g. 4G (default from the preset).") var mem: String?
    @Option(help: "Slurm: time limit of a training task, e.g. 2:00:00 (default from the preset's measured cost).") var timeTrain: String?
    @Option(help: "Slurm: time limit of an evaluation shard (default from the measured cost).") var timeEvaluate: String?
    @Option(help: "Slurm: time limit of the proxies job (default from the measured cost).") var timeProxies: String?
    @Option(help: "Slurm: the partition every job is submitted to.") var partition: String?
    @Option(help: "Slurm: the account every job is charged to.") var account: String?

    /// The measured resources with the given options applied; exits with status 2 naming an option Slurm would not read.
    func resources(plan: StudyPlan, selection: Int) throws -> SlurmResources {
        try requireAtLeast(1, ["--shards": shards, "--cpus-per-task": cpusPerTask])
        guard shards <= selection else {
            printError("--shards \(shards) is more than the study's \(selection) paths")
            throw ExitCode(2)
        }
        var resources = SlurmResources.measured(plan: plan, selection: selection, shards: shards, cpus: cpusPerTask)
        func check(_ value: String?, _ option: String, _ pattern: String, example: String) throws -> String? {
            guard let value else { return nil }
            guard value.range(of: pattern, options: .regularExpression) != nil else {
                printError("\(option) '\(value)' is not what sbatch reads there, e.g. \(example)")
                throw ExitCode(2)
            }
            return value
        }
        let time = #"^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$"#, name = #"^[A-Za-z0-9_.,+-]+$"#
        if let v = try check(mem, "--mem", #"^[0-9]+[KMGT]?$"#, example: "4G") { resources.memory = v }
        if let v = try check(timeTrain, "--time-train", time, example: "2:00:00 or 1-12:00:00") { resources.trainTime = v }
        if let v = try check(timeEvaluate, "--time-evaluate", time, example: "30:00") { resources.evaluateTime = v }
        if let v = try check(timeProxies, "--time-proxies", time, example: "1:00:00") { resources.proxiesTime = v }
        resources.partition = try check(partition, "--partition", name, example: "cpu")
        resources.account = try check(account, "--account", name, example: "my-project")
        return resources
    }
}
