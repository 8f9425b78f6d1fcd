import Foundation
import Testing
import TestSupport

/// A single-node Slurm for one test, brought up and stopped by `scripts/local-slurm` (munged as the munge user,
/// slurmctld and slurmd as plain background processes, everything in a temporary folder on private ports and socket;
/// stopped by PID). Debian's packages are installed when missing; where they cannot be (not root, no network) the
/// test is cancelled with the script's message.
struct LocalSlurm {
    static let script = SharedData.packageRoot.appendingPathComponent("scripts/local-slurm").path

    let directory: URL
    var configuration: String { directory.appendingPathComponent("slurm.conf").path }
    var environment: [String: String] { ["SLURM_CONF": configuration] }

    /// Starts the daemons; cancels the calling test where the packages cannot be installed, throws where a daemon
    /// does not come up (with its log).
    static func start() throws -> LocalSlurm {
        let slurm = LocalSlurm(directory: SharedData.temporaryDirectory())
        let outcome = try command(script, ["start", slurm.directory.path])
        if outcome.status == 3 { try Test.cancel("no local Slurm: \(outcome.output)") }
        guard outcome.status == 0 else { throw SetupError("scripts/local-slurm start failed (exit \(outcome.status)): \(outcome.output)") }
        return slurm
    }

    /// Cancels the cluster's jobs (only the test's), stops the daemons by PID and removes the folder.
    func stop() {
        _ = try? Self.command(Self.script, ["stop", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every task of job `id` (an array's tasks, one line each): its id, state and reason.
    func jobs(_ id: String) throws -> [(id: String, state: String, reason: String)] {
        let lines = try Self.command("/usr/bin/scontrol", ["-o", "show", "job", id], environment: environment).output.split(separator: "\n")
        return lines.map { line in
            let fields = Dictionary(line.split(separator: " ").compactMap { field -> (String, String)? in
                guard let equals = field.firstIndex(of: "=") else { return nil }
                return (String(field[..<equals]), String(field[field.index(after: equals)...]))
            }, uniquingKeysWith: { first, _ in first })
            let task = fields["ArrayTaskId"].map { "\(fields["ArrayJobId"] ?? id)_\($0)" } ?? (fields["JobId"] ?? id)
            return (task, fields["JobState"] ?? "?", fields["Reason"] ?? "?")
        }
    }

    /// Waits (at most `limit` seconds) until no task of `ids` is pending or running; returns every task's state.
    func waitForEnd(of ids: [String], limit: Double) throws -> [(id: String, state: String, reason: String)] {
        let deadline = Date().addingTimeInterval(limit)
        while true {
            let tasks = try ids.flatMap(jobs)
            let waiting = tasks.filter { ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED"].contains($0.state) }
            if waiting.isEmpty || Date() > deadline { return tasks }
            Thread.sleep(forTimeInterval: 1)
        }
    }

    /// Runs a program to its end; its exit status and its output (stdout and stderr together). Spawned directly, not
    /// with Foundation's Process: the test's threads block signals, which a Process child inherits (a daemon started by
    /// scripts/local-slurm would then ignore SIGTERM), and Process waits for every holder of the descriptors it gives
    /// its child, daemons included. Here the child starts with no signal blocked, writes to a file, and is waited for by
    /// its PID.
    @discardableResult
    static func command(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let log = SharedData.temporaryDirectory().appendingPathComponent("output")
        defer { try? FileManager.default.removeItem(at: log.deletingLastPathComponent()) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([program] + arguments).map { strdup($0) } + [nil], envp = variables.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw SetupError("cannot run \(program): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exit = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
        return (exit, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
