import Support
import Datasets
import Engine
import Experiments
import Foundation
import Importers
import Reports
import Store
import Supernet
import Synchronization

/// Runs a StudyPlan against one database: imports the benchmark when asked, records the cost baselines, trains and
/// evaluates every supernet (the first seed's also at its snapshot epochs) and scores the zero-cost proxies, `jobs`
/// of them at a time. Every stage skips finished work, so an interrupted study resumes by running it again.
public struct StudyRunner {
    public var plan: StudyPlan
    public var databasePath: String
    public var dataDirectory: String
    public var splitsDirectory: String
    public var checkpointDirectory: String
    /// Runs trained at once; the engine's cores are split between them (one worker each on 2 cores with 2 jobs).
    public var jobs: Int
    public var codeVersion: String
    public var quiet: Bool

    public init(plan: StudyPlan, databasePath: String, dataDirectory: String, splitsDirectory: String, checkpointDirectory: String,
                jobs: Int, codeVersion: String, quiet: Bool = false) {
        self.plan = plan
        self.databasePath = databasePath
        self.dataDirectory = dataDirectory
        self.splitsDirectory = splitsDirectory
        self.checkpointDirectory = checkpointDirectory
        self.jobs = max(1, jobs)
        self.codeVersion = codeVersion
        self.quiet = quiet
    }

    /// Imports `source` (a ground-truth CSV table or the official files; a no-op when already imported) and checks
    /// the plan's ground truths are in the database. Returns the plan's ground truths that are present (notes name
    /// those left out); none present is an error naming what to import.
    public func prepareBenchmark(source: String?) throws -> (present: [GroundTruthColumn], notes: [String]) {
        let store = try BenchmarkStore(path: databasePath)
        if let source {
            if !quiet { FileHandle.standardError.write(Data("benchmark: importing \(source) (skipped when already imported)\n".utf8)) }
            if source.lowercased().hasSuffix(".csv") {
                _ = try store.importTable(path: source)
            } else {
                _ = try OfficialImport.run(path: source, into: store, progress: !quiet)
            }
        }
        var present: [GroundTruthColumn] = [], notes: [String] = []
        for column in plan.groundTruths {
            do {
                if try store.groundTruth(column, plan: plan).rows.isEmpty {
                    notes.append("ground truth \(column) left out: the database holds no values for it")
                } else {
                    present.append(column)
                }
            } catch let e as StoreError {
                notes.append("ground truth \(column) left out: \(e.description)")
            }
        }
        guard !present.isEmpty else {
            throw StudyError.missingGroundTruth("the database \(databasePath) holds none of the study's ground truths ("
                + plan.groundTruths.map(\.description).joined(separator: ", ") + "); import the benchmark with --benchmark PATH "
                + "(the ground-truth CSV or the official NATS-Bench / NAS-Bench-201 files)")
        }
        return (present, notes)
    }

    /// Records params and FLOPs of the selection (the cost model of the dataset's network) as a baselines run.
    public func recordBaselines() throws {
        let store = try BenchmarkStore(path: databasePath)
        let selected = Set(try plan.selection(in: store))
        struct BaselineProtocol: Encodable {
            var archs: String, estimators = ["params", "flops"], sample_seed: UInt64, source: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let proto = BaselineProtocol(archs: plan.archs, sample_seed: plan.sampleSeed, source: "cost model of the \(plan.dataset.rawValue) network")
        let run = try store.openRun(kind: .baseline, name: plan.baselineRunName, dataset: plan.dataset.rawValue, seed: plan.sampleSeed,
                                    protocolJSON: String(decoding: try encoder.encode(proto), as: UTF8.self), codeVersion: codeVersion)
        for name in ["params", "flops"] {
            let done = Set(try store.estimates(run: run.id, estimator: name).map(\.arch))
            let all = try store.baselineScores(name, dataset: plan.dataset.rawValue).scores
            let todo = all.filter { selected.contains($0.key) && !done.contains($0.key) }
            try store.addEstimates(run: run.id, todo.keys.sorted().map { Estimate(arch: $0, estimator: name, score: all[$0]!) })
        }
        try store.updateRun(id: run.id, status: .finished)
    }

    /// Records every supernet run of the plan and its proxies run with their protocols (status running, nothing done
    /// yet), as opening them does. Jobs started from a copy of this database (a Slurm study's base.sqlite) then open the
    /// same runs: an evaluation job reads its run's configuration from the stored protocol, and a job given options
    /// that make another protocol is refused before it trains.
    public func registerRuns() throws {
        let store = try BenchmarkStore(path: databasePath)
        for seed in plan.seeds {
            for arm in plan.arms { _ = try supernetExperiment(arm, seed: seed, store: store) }
        }
        if let shape = plan.proxyShape {
            _ = try ProxyExperiment.open(store: store, dataset: plan.dataset, archs: plan.archs, shape: shape, batch: plan.proxyBatch,
                                         seed: plan.sampleSeed, codeVersion: codeVersion)
        }
    }

    /// One unit of work for a worker.
    enum Job: CustomStringConvertible, Equatable {
        /// The warm-up epochs of the seed's one-shot run, kept as the snapshot its K > 1 runs start from.
        case warmup(seed: UInt64)
        case supernet(StudyArm, seed: UInt64)
        case proxies

        var description: String {
            switch self {
            case let .warmup(seed): "one-shot warm-up seed \(seed)"
            case let .supernet(arm, seed): "supernet \(arm.label) seed \(seed)"
            case .proxies: "zero-cost proxies"
            }
        }

        /// The job that must be over before this one starts: a seed's supernets wait for its shared warm-up.
        var prerequisite: Job? {
            if case let .supernet(_, seed) = self { return .warmup(seed: seed) }
            return nil
        }
    }

    /// Trains and evaluates every run and scores the proxies; `shouldStop` (e.g. Ctrl-C) makes running jobs save
    /// their work at the next batch or path and return, and no new job start. Failed jobs are reported together at the
    /// end; a stopped study returns normally (ask `shouldStop` whether it was).
    public func runJobs(shouldStop: @escaping @Sendable () -> Bool = { false }) throws {
        let store = try BenchmarkStore(path: databasePath)
        let selected = try plan.selection(in: store)
        let data = try SupernetData(dataset: plan.dataset, dataDirectory: dataDirectory, splitsDirectory: splitsDirectory)
        // The warm-ups first: a worker waiting for one waits for a job already taken.
        var queue: [Job] = plan.config(k: 1, seed: 0).warmupEpochs > 0 ? plan.seeds.map { Job.warmup(seed: $0) } : []
        queue += plan.seeds.flatMap { seed in plan.arms.map { Job.supernet($0, seed: seed) } }
        if plan.proxyShape != nil { queue.append(.proxies) }
        EngineConfig.threading = .batchSplit(workers: max(1, ProcessInfo.processInfo.activeProcessorCount / jobs))

        let next = Mutex(0)
        let over = Mutex<[Bool]>(Array(repeating: false, count: queue.count))
        let failures = Mutex<[String]>([])
        // The whole study's progress, a line per finished job (each job also reports its own epochs and paths).
        let overall = Mutex(ProgressMeter(label: "study \(plan.dataset.rawValue)-\(plan.preset)", total: queue.count, unit: "jobs", quiet: quiet))
        nonisolated(unsafe) let work = (queue: queue, runner: self)
        DispatchQueue.concurrentPerform(iterations: min(jobs, queue.count)) { _ in
            while !shouldStop() {
                let index = next.withLock { i -> Int in defer { i += 1 }; return i }
                guard index < work.queue.count else { return }
                let job = work.queue[index]
                if let prerequisite = job.prerequisite.flatMap({ work.queue.firstIndex(of: $0) }) {
                    while !over.withLock({ $0[prerequisite] }) && !shouldStop() { Thread.sleep(forTimeInterval: 0.1) }
                }
                defer { over.withLock { $0[index] = true } }
                do {
                    try work.runner.run(job, selection: selected, data: data, shouldStop: shouldStop)
                    if !shouldStop() { overall.withLock { $0.advance(note: "\(job) done") } }
                } catch is WorkStopped {
                    // Its work is saved; the loop ends because shouldStop said yes.
                } catch {
                    failures.withLock { $0.append("\(job): \(error)") }
                    overall.withLock { $0.advance(note: "\(job) FAILED") }
                }
            }
        }
        let failed = failures.withLock { $0 }
        if !failed.isEmpty { throw StudyError.failedJobs(failed) }
    }

    private func run(_ job: Job, selection: [Int], data: SupernetData, shouldStop: () -> Bool) throws {
        let store = try BenchmarkStore(path: databasePath)
        switch job {
        case let .warmup(seed):
            let oneShot = try supernetExperiment(StudyArm(k: 1), seed: seed, store: store)
            let warmup = oneShot.config.warmupEpochs
            _ = try oneShot.train(data: data, snapshotEpochs: plan.warmupSnapshotEpochs(seed: seed), stopAfter: warmup, quiet: quiet,
                                  shouldStop: shouldStop)
        case let .supernet(arm, seed):
            let experiment = try supernetExperiment(arm, seed: seed, store: store)
            let snapshots = plan.snapshotEpochs(arm, seed: seed)
            // A K > 1 run starts from the one-shot run's warm-up when it was kept (runs trained before it was, train their own).
            let oneShot = try supernetExperiment(StudyArm(k: 1), seed: seed, store: store)
            let shared = arm.k > 1 && FileManager.default.fileExists(atPath: oneShot.snapshotPath(epoch: oneShot.config.warmupEpochs))
            let trainer = try experiment.train(data: data, snapshotEpochs: Set(snapshots), warmupFrom: shared ? oneShot : nil, quiet: quiet,
                                               shouldStop: shouldStop)
            guard trainer.isFinished else { return }
            try experiment.evaluate(selection, data: data, evaluation: plan.evaluation, quiet: quiet, shouldStop: shouldStop)
            try store.updateRun(id: experiment.run.id, status: .finished)
            for epoch in snapshots where FileManager.default.fileExists(atPath: experiment.snapshotPath(epoch: epoch)) {
                try experiment.evaluate(plan.snapshotSubset(of: selection), data: data, evaluation: plan.evaluation,
                                        snapshotEpoch: epoch, quiet: quiet, shouldStop: shouldStop)
            }
        case .proxies:
            guard let shape = plan.proxyShape else { return }
            let experiment = try ProxyExperiment.open(store: store, dataset: plan.dataset, archs: plan.archs, shape: shape,
                                                      batch: plan.proxyBatch, seed: plan.sampleSeed, codeVersion: codeVersion)
            try experiment.score(selection, dataDirectory: dataDirectory, splitsDirectory: splitsDirectory, quiet: quiet,
                                 shouldStop: shouldStop)
        }
    }
}

extension StudyRunner {
    /// The study's supernet run of `arm` and `seed`, opened or created.
    func supernetExperiment(_ arm: StudyArm, seed: UInt64, store: BenchmarkStore) throws -> SupernetExperiment {
        try SupernetExperiment.open(store: store, name: plan.runName(arm, seed: seed), dataset: plan.dataset.rawValue,
                                    config: plan.config(arm, seed: seed), checkpointDirectory: checkpointDirectory, codeVersion: codeVersion)
    }
}

extension BenchmarkStore {
    /// The plan's ground truth for one column (hp and seed policy from the plan).
    func groundTruth(_ column: GroundTruthColumn, plan: StudyPlan) throws -> ScoreTable {
        try groundTruth(dataset: column.dataset, split: column.split, hp: plan.hp, seed: SeedPolicy(plan.seedPolicy))
    }
}
