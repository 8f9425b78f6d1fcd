import ArgumentParser
import Foundation
import Reports
import SearchSpace
import Store
import Study
import Support

struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "The reference study: one-shot versus K-shot supernets, end to end, into a report folder.",
        discussion: """
            Imports the benchmark (--benchmark, skipped when already imported), records the params/FLOPs baselines, trains and \
            evaluates the supernets of every K and seed on the same path sample (the first seed also at its snapshot epochs), \
            scores the zero-cost proxies, ranks everything against the ground truths and writes the report (README.md, CSVs, \
            SVG plots, notebooks) to --out. Every stage skips finished work: run the same command again to resume, or spread \
            the work over several invocations (--report-only writes the report from whatever is finished).
            With --emit-slurm DIR the study is not run here: the benchmark is imported, the baselines recorded and every run \
            registered, then DIR gets sbatch scripts (a training array, per run an array of evaluation shards, the proxies, \
            a merge and the report, chained by DIR/submit.sh) and base.sqlite, the database every job starts from (README, \
            "On a Slurm cluster").
            Example: nb201 reproduce --preset small --data /tmp/nb201-cifar10/cifar-10-batches-bin --benchmark ../shared/data/groundtruth/nb201_groundtruth_merged.csv
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "cifar10, cifar100 or ImageNet16-120.") var dataset: BenchmarkDataset = .cifar10
    @Option(help: "tiny (CI, minutes), small (about 15 min per run on one core), medium (the ranking protocol: about 25 min per run on one core), paper.") var preset = "small"
    @Option(help: "Directory holding the dataset's files (see data/DATASETS.md).") var data: String
    @Option(help: "Directory of the NB201 split files (default: $NB201_SPLITS, else ../shared/data/splits; see README).") var splits: String?
    @Option(help: "The benchmark to import first: the ground-truth CSV or the official NATS-Bench / NAS-Bench-201 files.")
    var benchmark: String?
    @Option(help: "Dictionary sizes (comma-separated; must include 1).") var ks: String?
    @Option(help: "Seeds (comma-separated).") var seeds: String?
    @Option(help: "Also train the few-shot NAS baseline per seed, split on this edge (0-5) into 5 sub-supernets (medium: 0 unless given).") var fewShotEdge: Int?
    @Option(help: "Paths every supernet estimates (sample:N, all, non-isomorphic or a file).") var archs: String?
    @Option(help: "Runs trained at once (each gets cores / jobs engine threads).") var jobs = 2
    @Option(help: "Directory for checkpoints (default: <db>.checkpoints).") var checkpoints: String?
    @Option(help: "Report folder (default: notebooks-export/<dataset>-<preset>).") var out: String?
    @Flag(help: "Only write the report from the finished work.") var reportOnly = false
    @OptionGroup(title: "Slurm") var slurm: SlurmOptions
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        let benchmarkDataset = dataset.searchDataset
        try reportingErrors {
            var plan = try StudyPlan.standard(preset: preset, dataset: benchmarkDataset)
            if let ks { plan.ks = try integers(ks, option: "--ks") }
            if let seeds { plan.seeds = try integers(seeds, option: "--seeds").map(UInt64.init) }
            if let archs { plan.archs = archs }
            if let fewShotEdge { plan.fewShotEdge = fewShotEdge }
            try plan.validate()
            if let directory = slurm.emitSlurm {
                guard !reportOnly else {
                    printError("--emit-slurm writes the jobs that make the report (report.sbatch); drop --report-only")
                    throw ExitCode(2)
                }
                return try emitSlurm(plan: plan, directory: directory)
            }
            let version = codeVersion()
            let runner = StudyRunner(plan: plan, databasePath: database.db, dataDirectory: data, splitsDirectory: reportOnly ? "" : try locateSplits(splits),
                                     checkpointDirectory: database.checkpointDirectory(checkpoints), jobs: jobs, codeVersion: version, quiet: quiet)
            let (truths, notes) = try runner.prepareBenchmark(source: reportOnly ? nil : benchmark)
            for note in notes { print("note: \(note)") }
            var failure: Error?
            if !reportOnly {
                try runner.recordBaselines()
                // Ctrl-C before this point ends the process at once: the benchmark import lands whole or resumes.
                try stoppingOnSignals { shouldStop in
                    do { try runner.runJobs(shouldStop: shouldStop) } catch { failure = error }
                    if shouldStop() {
                        throw WorkStopped(kept: "every finished epoch, estimate and score, and the checkpoints under \(runner.checkpointDirectory) "
                            + "(no report written; --report-only writes one from the finished work)")
                    }
                }
            }
            let store = try database.open()
            let results = try StudyResults.compute(plan: plan, store: store, groundTruths: truths, notes: notes)
            let folder = URL(fileURLWithPath: out ?? "notebooks-export/\(benchmarkDataset.rawValue)-\(preset)")
            let report = StudyReport(results: results, databasePath: URL(fileURLWithPath: database.db).standardizedFileURL.path,
                                     commandLine: CommandLine.arguments, codeVersion: version, machine: machineDescription())
            let files = try report.write(to: folder, store: store)
            print("\(folder.path): \(files.count) files; \(results.runs.filter(\.complete).count)/\(results.runs.count) runs complete")
            if let failure { throw failure }
        }
    }

    /// Prepares the database (benchmark, baselines, every run registered) and writes the study's Slurm scripts and
    /// base.sqlite into `directory`; nothing is trained here.
    private func emitSlurm(plan: StudyPlan, directory: String) throws {
        let folder = absolute(directory)
        let checkpointFolder = absolute(checkpoints ?? folder + "/checkpoints")
        let runner = StudyRunner(plan: plan, databasePath: database.db, dataDirectory: absolute(data), splitsDirectory: absolute(try locateSplits(splits)),
                                 checkpointDirectory: checkpointFolder, jobs: 1, codeVersion: codeVersion(), quiet: quiet)
        let (_, notes) = try runner.prepareBenchmark(source: benchmark)
        for note in notes { print("note: \(note)") }
        let store = try database.open()
        let selection = try plan.selection(in: store)
        let resources = try slurm.resources(plan: plan, selection: selection.count)
        try runner.recordBaselines()
        try runner.registerRuns()
        let study = SlurmStudy(plan: plan, selection: selection, shards: slurm.shards, resources: resources, directory: folder,
                               program: Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? CommandLine.arguments[0],
                               data: runner.dataDirectory, splits: runner.splitsDirectory, checkpoints: checkpointFolder,
                               report: absolute(out ?? folder + "/report"))
        let files = try study.write(base: store)
        let runs = plan.seeds.count * plan.arms.count
        print("\(folder): \(files.count) files: \(runs) training tasks (\(resources.trainTime) each), \(runs) x \(slurm.shards) evaluation shards "
              + "(\(resources.evaluateTime)), proxies, merge and report; \(resources.cpusPerTask) core(s) and \(resources.memory) per job")
        print("submit with: \(folder)/submit.sh")
    }

    private func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    private func integers(_ text: String, option: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? -1) >= 0 }) else {
            printError("\(option) '\(text)' is not a comma-separated list of non-negative integers")
            throw ExitStatus.usage.code
        }
        return values.map { $0! }
    }
}

/// "N cores, OpenBLAS core TYPE" for reports (results depend on both).
func machineDescription() -> String {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let core = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "auto"
    return "\(cores) cores, OPENBLAS_CORETYPE=\(core), \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
}
