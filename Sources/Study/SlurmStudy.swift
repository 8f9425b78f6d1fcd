import Experiments
import Foundation
import SearchSpace
import Store
import Supernet

/// The Slurm resources of a study's jobs: `--cpus-per-task`, `--mem` and `--time` per kind of job, and the
/// partition and account every job is submitted to. `measured(...)` derives them from the preset's measured cost;
/// every field can be overridden.
public struct SlurmResources: Sendable, Equatable {
    public var cpusPerTask: Int
    /// `--mem` as Slurm reads it, e.g. "2G".
    public var memory: String
    /// `--time` limits as Slurm reads them, e.g. "00:45:00".
    public var trainTime: String
    public var evaluateTime: String
    public var proxiesTime: String
    /// The merge's and the report's.
    public var mergeTime: String
    public var partition: String?
    public var account: String?

    /// One-core costs measured at C=8, N=1 on CIFAR-10 (README, "Supernets that rank": a `medium` epoch of 25,000 images
    /// takes about 30 s, its 500 path evaluations about 13 min; benchmarks/results/proxies.md: 1.5-1.7 s per
    /// architecture for the zero-cost proxies of the C=16, N=5 network on a batch of 64). Other shapes are scaled by
    /// the cost model's FLOPs (which overstates the larger shapes' time: a measured C=16, N=5 supernet step costs 9.3x
    /// a C=8, N=1 step, their FLOPs 13x).
    enum Measured {
        static let shape = NetworkShape(channels: 8, cellsPerStage: 1)
        static let trainingSecondsPerImage = 30.0 / 25_000
        /// Per image a path evaluation reads: 10 calibration batches of 64 plus 2,000 validation images.
        static let evaluationSecondsPerImage = 13.0 * 60 / 500 / 2_640
        static let proxySecondsPerArchitecture = 1.7
        static let proxyShape = NetworkShape.benchmark(classes: 10, resolution: 32)
        static let proxyBatch = 64.0
        /// The reference study's process, two C=8, N=1 runs at once with the whole CIFAR-10 in memory, resides in
        /// 0.93 GB; the benchmark's network at batch 256 keeps far more activations (8G is an estimate, not measured).
        static func memory(_ shape: NetworkShape) -> String { shape.channels * shape.cellsPerStage <= 8 ? "2G" : "8G" }
    }

    /// FLOPs per image of `shape` relative to `reference` (a cell of 3x3 convolutions on every edge: the ratio between
    /// shapes hardly depends on the cell).
    static func scale(_ shape: NetworkShape, to reference: NetworkShape) -> Double {
        let cell = try! Cell(opCodes: "333333")
        return Double(Cost(cell: cell, shape: shape).flops) / Double(Cost(cell: cell, shape: reference).flops)
    }

    /// Twice the estimated one-core seconds over `cpus` cores, plus 10 minutes for starting, loading the data and
    /// copying the database back; rounded up to 5 minutes.
    static func limit(seconds: Double, cpus: Int) -> String {
        let minutes = Int(((2 * seconds / Double(cpus) / 60 + 10) / 5).rounded(.up)) * 5
        let (days, hours) = (minutes / 1440, minutes % 1440 / 60)
        let clock = String(format: "%02d:%02d:00", hours, minutes % 60)
        return days > 0 ? "\(days)-\(clock)" : clock
    }

    /// The resources of `plan`'s jobs with its `selection` paths evaluated in `shards` shards per run, `cpus` cores per
    /// job (default: 1, or 4 for networks larger than C=8, N=1, i.e. the benchmark's).
    public static func measured(plan: StudyPlan, selection: Int, shards: Int, cpus: Int? = nil) -> SlurmResources {
        let oneShot = plan.config(k: 1, seed: 0)
        let cpus = cpus ?? (oneShot.shape.channels * oneShot.shape.cellsPerStage <= 8 ? 1 : 4)
        let images = Double(oneShot.trainSubsetSize ?? trainingImages(of: plan.dataset))
        // A K-shot run adds a simplex-net step, costing about a supernet step, every `simplexEvery` steps.
        let slowest = plan.arms.map { arm -> Double in
            let config = plan.config(arm, seed: 0)
            return config.k > 1 && config.splitEdge == nil ? 1 + 1 / Double(config.simplexEvery) : 1
        }.max() ?? 1
        let training = Double(oneShot.epochs) * images * Measured.trainingSecondsPerImage * scale(oneShot.shape, to: Measured.shape) * slowest
        let evaluationImages = Double(plan.evaluation.calibrationBatches * plan.evaluation.calibrationBatchSize + plan.evaluation.validationImages)
        let perPath = evaluationImages * Measured.evaluationSecondsPerImage * scale(oneShot.shape, to: Measured.shape)
        let snapshotPaths = plan.snapshotSubset(of: Array(0..<selection)).count
        let pathsPerShard = (selection + shards - 1) / shards + plan.snapshotEpochs.count * ((snapshotPaths + shards - 1) / shards)
        let proxies = plan.proxyShape.map {
            Double(selection) * Measured.proxySecondsPerArchitecture * scale($0, to: Measured.proxyShape) * Double(plan.proxyBatch) / Measured.proxyBatch
        } ?? 0
        return SlurmResources(cpusPerTask: cpus, memory: Measured.memory(oneShot.shape), trainTime: limit(seconds: training, cpus: cpus),
                              evaluateTime: limit(seconds: Double(pathsPerShard) * perPath, cpus: cpus),
                              proxiesTime: limit(seconds: proxies, cpus: cpus), mergeTime: limit(seconds: 600, cpus: 1))
    }

    /// Images of a training epoch on the whole training part a supernet learns from (SupernetData.source).
    static func trainingImages(of dataset: BenchmarkDataset) -> Int {
        switch dataset {
        case .cifar10, .cifar10Valid: 25_000 // cifar10-valid's train half
        case .cifar100: 50_000
        case .imageNet16: 151_700
        }
    }
}

/// A study run on Slurm as plain sbatch scripts that a person can read and edit (README, "On a Slurm cluster"):
/// an array of training tasks (one per run), per run an array of evaluation shards that starts when its training task
/// ended well, the zero-cost proxies, a merge of every job's database and the report, chained with
/// `--dependency=afterok` and `--kill-on-invalid-dep=yes` by `submit.sh`. Every job works on its own copy of
/// `base.sqlite` on local scratch and copies it back into `jobs/` atomically (`nb201 copy`); checkpoints live in the
/// shared folder so that a requeued run resumes from its checkpoint.
public struct SlurmStudy {
    public var plan: StudyPlan
    /// The paths every supernet estimates, in the order the single-process study evaluates them.
    public var selection: [Int]
    public var shards: Int
    public var resources: SlurmResources
    /// Absolute paths: the study's folder (on a file system every node sees), the nb201 program, the dataset's files,
    /// the split files, the checkpoints and the report folder.
    public var directory: String
    public var program: String
    public var data: String
    public var splits: String
    public var checkpoints: String
    public var report: String

    public init(plan: StudyPlan, selection: [Int], shards: Int, resources: SlurmResources, directory: String, program: String,
                data: String, splits: String, checkpoints: String, report: String) {
        self.plan = plan
        self.selection = selection
        self.shards = shards
        self.resources = resources
        self.directory = directory
        self.program = program
        self.data = data
        self.splits = splits
        self.checkpoints = checkpoints
        self.report = report
    }

    /// Writes the scripts, the path lists and `base.sqlite` (a copy of `base`, where the study's runs are registered:
    /// StudyRunner.registerRuns) into `directory`, with its empty `jobs/` and `logs/` folders; returns the files' names.
    @discardableResult
    public func write(base: BenchmarkStore) throws -> [String] {
        let folder = URL(fileURLWithPath: directory)
        for sub in ["", "jobs", "logs"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        try base.copy(to: folder.appendingPathComponent("base.sqlite").path)
        var names = ["base.sqlite"]
        for file in files() {
            let url = folder.appendingPathComponent(file.name)
            try Data(file.text.utf8).write(to: url, options: .atomic)
            if file.executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
            names.append(file.name)
        }
        return names
    }

    /// Every run of the study with the `nb201 train` options that train it and its snapshot epochs.
    var runs: [(name: String, options: String, snapshots: [Int])] {
        plan.seeds.flatMap { seed in
            plan.arms.map { arm in
                let method = arm.splitEdge.map { "--method few-shot --split-edge \($0)" } ?? "--k \(arm.k)"
                let snapshots = plan.snapshotEpochs(arm, seed: seed)
                let keep = snapshots.isEmpty ? "" : " --snapshot-epochs \(snapshots.map(String.init).joined(separator: ","))"
                return (plan.runName(arm, seed: seed), "\(method) --seed \(seed)\(keep)", snapshots)
            }
        }
    }

    /// The files of the study's folder besides base.sqlite: (name, contents, executable).
    public func files() -> [(name: String, text: String, executable: Bool)] {
        let snapshotPaths = plan.snapshotSubset(of: selection)
        return [("study.env", environment, false), ("train.sbatch", trainScript, false), ("evaluate.sbatch", evaluateScript, false),
                ("proxies.sbatch", proxiesScript, false), ("merge.sbatch", mergeScript, false), ("report.sbatch", reportScript, false),
                ("submit.sh", submitScript, true),
                ("paths.txt", selection.map(String.init).joined(separator: "\n") + "\n", false),
                ("snapshot-paths.txt", snapshotPaths.map(String.init).joined(separator: "\n") + "\n", false)]
    }

    /// A shell word: quoted when it holds anything but letters, digits and `-_./:,=+@%`.
    static func quoted(_ word: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:,=+@%")
        return !word.isEmpty && word.allSatisfy(plain.contains) ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    private var summary: String {
        let ks = plan.arms.map(\.label).joined(separator: ", ")
        return "\(plan.dataset.rawValue), preset \(plan.preset), \(ks) x seeds \(plan.seeds.map(String.init).joined(separator: ", ")); "
            + "\(selection.count) paths (\(plan.archs), seed \(plan.sampleSeed)) per run in \(shards) evaluation shards"
    }

    var environment: String {
        """
        # Settings and helpers every job of this study sources. Written by `nb201 reproduce --emit-slurm`; edit freely.
        # The study: \(summary).

        NB201_PROGRAM=\(Self.quoted(program))  # the nb201 build every node runs
        STUDY=\(Self.quoted(directory))  # this folder, on a file system every node sees
        DATA=\(Self.quoted(data))  # the dataset's files (data/DATASETS.md)
        SPLITS=\(Self.quoted(splits))  # the NB201 split files
        CHECKPOINTS=\(Self.quoted(checkpoints))  # shared: a requeued run resumes from its checkpoint on any node
        THREADS=${SLURM_CPUS_PER_TASK:-1}  # engine threads of a job

        # Storage rule: SQLite in WAL mode must not be shared over a network file system. Each job works on its own
        # database on local scratch ($SLURM_TMPDIR, else $TMPDIR, else /tmp) and copies it back atomically when it ends,
        # finished, failed or stopped (nb201 copy: a consistent snapshot into a temporary file beside the destination, then a rename).
        # Every job starts from base.sqlite, where the study's runs are registered with their protocols and empty totals,
        # so each job file holds that job's work only; nb201 merge brings them together into study.sqlite.

        # open_job_database RESULT START: the job works on a copy ($NB201_DB) of RESULT when it exists (a requeued job
        # continues its own work), else of START; when the job ends, the copy goes back to RESULT ("-": nowhere).
        open_job_database() {
          RESULT=$1
          SCRATCH=$(mktemp -d "${SLURM_TMPDIR:-${TMPDIR:-/tmp}}/nb201-job.XXXXXX")
          export NB201_DB=$SCRATCH/job.sqlite
          if [ -f "$RESULT" ]; then cp "$RESULT" "$NB201_DB"; else cp "$2" "$NB201_DB"; fi
          trap 'close_job_database $?' EXIT
          # A signal between two nb201 steps ends the job at once; what is done is copied back (during a step: see nb201).
          trap 'exit 130' INT
          trap 'exit 143' TERM
        }

        close_job_database() {
          local status=$1
          if [ "$RESULT" != - ]; then "$NB201_PROGRAM" copy "$RESULT" || status=1; fi
          rm -rf "$SCRATCH"
          # Stopped before the time limit (exit 130, see nb201 below): requeued, the job continues from its checkpoint.
          if [ "$status" -eq 130 ]; then scontrol requeue "$SLURM_JOB_ID" || status=1; fi
          exit "$status"
        }

        # nb201 ARGS...: the program, run in the background so that this shell can pass on Slurm's warning before the
        # time limit (--signal=B:INT@120 sends SIGINT to this shell only); nb201 then saves its work at the next batch or
        # path and exits 130. SIGTERM (pre-emption, scancel) reaches nb201 directly, like every process of the job: it
        # saves and exits 143 while this shell waits to copy the database back.
        nb201() {
          "$NB201_PROGRAM" "$@" &
          local pid=$! status=0
          trap "kill -INT $pid 2>/dev/null" INT
          trap : TERM
          wait "$pid" || status=$?
          while kill -0 "$pid" 2>/dev/null; do status=0; wait "$pid" || status=$?; done
          trap 'exit 130' INT
          trap 'exit 143' TERM
          return "$status"
        }

        """
    }

    /// The `#SBATCH` lines every script shares after its own.
    private func header(name: String, time: String, array: Int? = nil, dependent: Bool, requeue: Bool) -> String {
        var lines = ["--job-name=nb201-\(name)"]
        if let array { lines.append("--array=0-\(array - 1)") }
        lines += ["--cpus-per-task=\(resources.cpusPerTask)", "--mem=\(resources.memory)", "--time=\(time)"]
        if requeue { lines += ["--signal=B:INT@120", "--requeue", "--open-mode=append"] }
        if dependent { lines.append("--kill-on-invalid-dep=yes") }
        lines.append("--output=\(directory)/logs/%x-" + (array == nil ? "%j.out" : "%A_%a.out"))
        if let partition = resources.partition { lines.append("--partition=\(partition)") }
        if let account = resources.account { lines.append("--account=\(account)") }
        return lines.map { "#SBATCH \($0)" }.joined(separator: "\n")
    }

    private var source: String { "set -euo pipefail\nsource \(Self.quoted(directory + "/study.env"))" }

    private var dataOptions: String { #"--data "$DATA" --splits "$SPLITS""# }

    var trainScript: String {
        let table = runs.enumerated().map { i, run in "  \(i)) RUN=\(run.name) OPTIONS=\"\(run.options)\" ;;" }.joined(separator: "\n")
        return """
            #!/bin/bash
            # Training: one array task per supernet run of the study (the table below); each trains its run to the end,
            # checkpointing every epoch (and when stopped) under $CHECKPOINTS. Written by `nb201 reproduce --emit-slurm`;
            # edit freely; submit.sh submits it.
            \(header(name: "train", time: resources.trainTime, array: runs.count, dependent: false, requeue: true))
            \(source)

            case $SLURM_ARRAY_TASK_ID in
            \(table)
            esac
            open_job_database "$STUDY/jobs/train-$RUN.sqlite" "$STUDY/base.sqlite"
            nb201 train --dataset \(plan.dataset.rawValue) --preset \(plan.preset) $OPTIONS \(dataOptions) --checkpoints "$CHECKPOINTS" --threads "$THREADS"

            """
    }

    var evaluateScript: String {
        let e = plan.evaluation
        let batchStatistics = e.batchStatistics == true ? " --batch-statistics" : ""
        return """
            #!/bin/bash
            # Evaluation of one trained run in \(shards) shards: array task I estimates every \(shards)th path of paths.txt from
            # position I and, for a run trained with snapshots, the same share of snapshot-paths.txt with each snapshot. A
            # path's estimate does not depend on its shard. Usage (submit.sh does it):
            #   sbatch --dependency=afterok:TRAINING_JOB_TASK evaluate.sbatch RUN [SNAPSHOT_EPOCHS]
            \(header(name: "evaluate", time: resources.evaluateTime, array: shards, dependent: true, requeue: true))
            \(source)

            RUN=$1 SNAPSHOT_EPOCHS=${2:-}
            EVALUATION=(--calibration-batches \(e.calibrationBatches) --validation-images \(e.validationImages) --eval-seed \(e.seed)\(batchStatistics)
              --shard "$SLURM_ARRAY_TASK_ID/\(shards)" \(dataOptions) --checkpoints "$CHECKPOINTS" --threads "$THREADS")
            open_job_database "$STUDY/jobs/evaluate-$RUN-shard$SLURM_ARRAY_TASK_ID.sqlite" "$STUDY/base.sqlite"
            nb201 evaluate --run "$RUN" --archs "$STUDY/paths.txt" "${EVALUATION[@]}"
            for epoch in ${SNAPSHOT_EPOCHS//,/ }; do
              nb201 evaluate --run "$RUN" --archs "$STUDY/snapshot-paths.txt" --snapshot "$epoch" "${EVALUATION[@]}"
            done

            """
    }

    var proxiesScript: String {
        let command: String
        if let shape = plan.proxyShape {
            command = "nb201 proxies --dataset \(plan.dataset.rawValue) --archs \(Self.quoted(plan.archs)) --seed \(plan.sampleSeed) "
                + "--C \(shape.channels) --N \(shape.cellsPerStage) --batch \(plan.proxyBatch) \(dataOptions) --threads \"$THREADS\""
        } else {
            command = "echo \"this study scores no zero-cost proxies\""
        }
        return """
            #!/bin/bash
            # The zero-cost proxies of the study's paths (untrained networks, one seeded batch).
            \(header(name: "proxies", time: resources.proxiesTime, dependent: false, requeue: true))
            \(source)

            open_job_database "$STUDY/jobs/proxies.sqlite" "$STUDY/base.sqlite"
            \(command)

            """
    }

    var mergeScript: String {
        """
        #!/bin/bash
        # Merge: every job's database into study.sqlite (nb201 merge: runs by name, each job's share of the totals once;
        # running it again changes nothing).
        \(header(name: "merge", time: resources.mergeTime, dependent: true, requeue: false))
        \(source)

        open_job_database "$STUDY/study.sqlite" "$STUDY/base.sqlite"
        nb201 merge "$NB201_DB" "$STUDY"/jobs/*.sqlite

        """
    }

    var reportScript: String {
        var plan = ["--ks \(self.plan.ks.map(String.init).joined(separator: ","))", "--seeds \(self.plan.seeds.map(String.init).joined(separator: ","))",
                    "--archs \(Self.quoted(self.plan.archs))"]
        if let edge = self.plan.fewShotEdge { plan.append("--few-shot-edge \(edge)") }
        return """
            #!/bin/bash
            # The report of the merged study (nb201 reproduce --report-only), written on local scratch and then put in
            # place as \(report).
            \(header(name: "report", time: resources.mergeTime, dependent: true, requeue: false))
            \(source)

            open_job_database - "$STUDY/study.sqlite"
            nb201 reproduce --report-only --dataset \(self.plan.dataset.rawValue) --preset \(self.plan.preset) \(plan.joined(separator: " ")) --data "$DATA" --out "$SCRATCH/report"
            REPORT=\(Self.quoted(report))
            rm -rf "$REPORT.partial" && cp -r "$SCRATCH/report" "$REPORT.partial" && rm -rf "$REPORT" && mv "$REPORT.partial" "$REPORT"

            """
    }

    var submitScript: String {
        let evaluations = runs.enumerated().map { i, run in
            let snapshots = run.snapshots.isEmpty ? "" : " " + run.snapshots.map(String.init).joined(separator: ",")
            return "evaluations+=:$(submit --dependency=afterok:${train}_\(i) evaluate.sbatch \(run.name)\(snapshots))"
        }.joined(separator: "\n")
        return """
            #!/bin/bash
            # Submits the study: the training array and the proxies at once; per run an evaluation array that starts when
            # that run's training task ended well; the merge when every job ended well; then the report. The dependent
            # scripts say --kill-on-invalid-dep=yes: when a job they wait for fails, Slurm cancels them instead of leaving
            # them pending. Submitting again after a failure is fixed resumes: jobs continue from jobs/ and the checkpoints.
            # Study: \(summary).
            set -euo pipefail
            cd \(Self.quoted(directory))
            submit() { local id; id=$(sbatch --parsable "$@"); echo "${id%%;*}"; } # the job id (--parsable prints ID[;CLUSTER])

            train=$(submit train.sbatch)
            proxies=$(submit proxies.sbatch)
            evaluations=
            \(evaluations)
            evaluations=${evaluations#:}
            merge=$(submit --dependency=afterok:$train:$proxies:$evaluations merge.sbatch)
            report=$(submit --dependency=afterok:$merge report.sbatch)
            echo "submitted: training $train, proxies $proxies, evaluation $evaluations, merge $merge, report $report"

            """
    }
}
