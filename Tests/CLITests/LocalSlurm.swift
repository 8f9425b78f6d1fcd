import Foundation
import Testing
import TestSupport

/// A single-node Slurm for one test, as the CI machine allows it: no systemd, so munged (as the munge user) and
/// slurmctld / slurmd run as plain background processes of the test, with their configuration, state and logs in a
/// temporary folder, private ports and a private munge socket (so that nothing else on the machine is touched), and are
/// stopped by PID. Debian's packages are installed when missing (`apt-get install --no-install-recommends`, about
/// 13 MB); where that cannot be done (not root, no network) the test is cancelled with a message saying so.
struct LocalSlurm {
    static let packages = ["slurmctld", "slurmd", "slurm-client", "munge"]
    static let programs = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch", "/usr/bin/scontrol", "/usr/bin/squeue", "/usr/bin/scancel", "/usr/bin/sinfo"]
    static let mungeDirectory = "/run/munge"

    let directory: URL
    /// slurm.conf, for the client commands ($SLURM_CONF).
    let configuration: String
    /// The daemons' process ids, in the order they started.
    private let daemons: [pid_t]

    var environment: [String: String] { ["SLURM_CONF": configuration] }

    /// Installs what is missing and starts munged, slurmctld and slurmd; cancels the calling test where the packages
    /// cannot be installed, and throws where the daemons do not come up (with their logs).
    static func start() throws -> LocalSlurm {
        guard geteuid() == 0 else {
            try Test.cancel("the local Slurm test needs root (to install \(packages.joined(separator: " ")) and run munged as the munge user)")
        }
        try install()
        let directory = SharedData.temporaryDirectory()
        for sub in ["state", "spool"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        var daemons: [pid_t] = []
        do {
            let socket = try startMunge(in: directory, daemons: &daemons)
            let configuration = directory.appendingPathComponent("slurm.conf").path
            try slurmConfiguration(directory: directory, socket: socket).write(toFile: configuration, atomically: true, encoding: .utf8)
            daemons.append(try launch("/usr/sbin/slurmctld", ["-D", "-f", configuration], log: directory.appendingPathComponent("slurmctld.out")))
            daemons.append(try launch("/usr/sbin/slurmd", ["-D", "-N", "localhost", "-f", configuration], log: directory.appendingPathComponent("slurmd.out")))
            let slurm = LocalSlurm(directory: directory, configuration: configuration, daemons: daemons)
            try slurm.waitUntilIdle()
            return slurm
        } catch {
            stop(daemons)
            throw error
        }
    }

    /// Cancels every job of this cluster (only the test's), waits for them to end, and stops the daemons it started.
    func stop() {
        _ = try? Self.command("/usr/bin/scancel", ["--user", "root"], environment: environment)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, let queue = try? Self.command("/usr/bin/squeue", ["-h"], environment: environment).output,
              !queue.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            Thread.sleep(forTimeInterval: 0.5)
        }
        Self.stop(daemons)
        try? FileManager.default.removeItem(atPath: "\(Self.mungeDirectory)/\(directory.lastPathComponent).seed")
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

    private static func install() throws {
        guard !programs.allSatisfy(FileManager.default.isExecutableFile(atPath:)) else { return }
        let environment = ["DEBIAN_FRONTEND": "noninteractive"]
        var outcome = try command("/usr/bin/apt-get", ["install", "-y", "--no-install-recommends"] + packages, environment: environment)
        if outcome.status != 0 {
            _ = try? command("/usr/bin/apt-get", ["update"], environment: environment)
            outcome = try command("/usr/bin/apt-get", ["install", "-y", "--no-install-recommends"] + packages, environment: environment)
        }
        guard outcome.status == 0, programs.allSatisfy(FileManager.default.isExecutableFile(atPath:)) else {
            try Test.cancel("cannot install \(packages.joined(separator: " ")) with apt-get (exit \(outcome.status)): \(outcome.output.suffix(400))")
        }
    }

    /// Starts munged as the munge user on a private socket (the key is the system's, made when missing); returns the socket.
    private static func startMunge(in directory: URL, daemons: inout [pid_t]) throws -> String {
        guard let munge = getpwnam("munge") else { throw SetupError("no munge user after installing munge") }
        let (uid, gid) = (munge.pointee.pw_uid, munge.pointee.pw_gid)
        let key = "/etc/munge/munge.key"
        if !FileManager.default.fileExists(atPath: key) {
            var bytes = [UInt8](repeating: 0, count: 1024)
            for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
            _ = FileManager.default.createFile(atPath: key, contents: Data(bytes), attributes: [.posixPermissions: 0o400])
            chown(key, uid, gid)
        }
        try FileManager.default.createDirectory(atPath: mungeDirectory, withIntermediateDirectories: true)
        chown(mungeDirectory, uid, gid)
        chmod(mungeDirectory, 0o755)
        let name = directory.lastPathComponent
        let socket = "\(mungeDirectory)/\(name).socket"
        daemons.append(try launch("/usr/bin/setpriv", ["--reuid=munge", "--regid=munge", "--init-groups", "/usr/sbin/munged", "-F",
                                                       "--socket=\(socket)", "--pid-file=\(mungeDirectory)/\(name).pid",
                                                       "--seed-file=\(mungeDirectory)/\(name).seed"],
                                  log: directory.appendingPathComponent("munged.out")))
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) {
            guard Date() < deadline, kill(daemons.last!, 0) == 0 else { throw SetupError("munged did not start", log: directory.appendingPathComponent("munged.out")) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return socket
    }

    /// One node, `localhost`, with 2 CPUs and half the machine's memory; no accounting (`scontrol show job` reads the
    /// jobs, kept an hour after they end by MinJobAge).
    private static func slurmConfiguration(directory: URL, socket: String) throws -> String {
        let path = directory.path
        let memory = ProcessInfo.processInfo.physicalMemory / (1 << 20) / 2
        return """
            ClusterName=nb201test
            SlurmctldHost=localhost(127.0.0.1)
            SlurmctldPort=\(try freePort())
            SlurmdPort=\(try freePort())
            AuthType=auth/munge
            AuthInfo=socket=\(socket)
            CredType=cred/munge
            SlurmUser=root
            SlurmdUser=root
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SchedulerType=sched/builtin
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            StateSaveLocation=\(path)/state
            SlurmdSpoolDir=\(path)/spool
            SlurmctldPidFile=\(path)/slurmctld.pid
            SlurmdPidFile=\(path)/slurmd.pid
            SlurmctldLogFile=\(path)/slurmctld.log
            SlurmdLogFile=\(path)/slurmd.log
            MinJobAge=3600
            ReturnToService=2
            MpiDefault=none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=\(memory) State=UNKNOWN
            PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP

            """
    }

    private func waitUntilIdle() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let state = try? Self.command("/usr/bin/sinfo", ["-h", "-o", "%T"], environment: environment).output,
               state.trimmingCharacters(in: .whitespacesAndNewlines) == "idle" { return }
            Thread.sleep(forTimeInterval: 0.3)
        }
        throw SetupError("the local Slurm node did not become idle", log: directory.appendingPathComponent("slurmd.log"))
    }

    /// A TCP port no one listens on now (bound to port 0, then released).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else { throw SetupError("no free TCP port for the local Slurm") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts a daemon with posix_spawn, its output appended to `log`. Not with Foundation's Process: a daemon that
    /// closes the descriptors it inherited looks ended to Process, whose monitor then blocks waiting for it, and no
    /// later child of the test is ever reaped.
    private static func launch(_ program: String, _ arguments: [String], log: URL) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The test's threads block signals (libdispatch's do); a daemon must get SIGTERM, with its default action.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), stops = sigset_t()
        sigemptyset(&none)
        sigemptyset(&stops)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&stops, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &stops)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let status = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        guard status == 0 else { throw SetupError("cannot start \(program): \(String(cString: strerror(status)))") }
        return pid
    }

    /// SIGTERM to each daemon (last started first), SIGKILL to any still running 10 s later; each is reaped.
    private static func stop(_ daemons: [pid_t]) {
        var running = Set(daemons)
        for pid in daemons.reversed() { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while !running.isEmpty {
            for pid in running where waitpid(pid, nil, WNOHANG) != 0 { running.remove(pid) }
            if Date() > deadline {
                for pid in running { kill(pid, SIGKILL); waitpid(pid, nil, 0) }
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Runs a program to its end; its exit status and its output (stdout and stderr together).
    @discardableResult
    static func command(_ program: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
        init(_ what: String, log: URL? = nil) {
            let tail = log.flatMap { try? String(contentsOf: $0, encoding: .utf8) }.map { "; \($0.suffix(1500))" } ?? ""
            description = what + tail
        }
    }
}
