import Foundation
import Synchronization
import TestSupport

/// The built `nb201` program, run as a user runs it, on generated fixtures: CIFAR-10 files of the release layout, their
/// split file, and a database holding a generated ground truth of 300 architectures.
struct NB201Program {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Seconds from the (first) signal to the exit; nil when no signal was sent.
        var secondsAfterSignal: Double?
    }

    /// The program beside the test bundle (both are products of one build).
    static let executable: String = {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("nb201").path,
                          SharedData.packageRoot.appendingPathComponent(".build/debug/nb201").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// Generated once per test process (writing them takes a few seconds); every test works in its own folder.
    static let fixtures: (data: String, splits: String, truth: String) = {
        let dir = SharedData.temporaryDirectory()
        let (data, splits) = SyntheticDatasetFiles.sharedCIFAR10
        let truth = try! GeneratedGroundTruth.write(to: dir.appendingPathComponent("truth.csv").path)
        return (data, splits, truth)
    }()

    /// A fresh working folder whose database `db.sqlite` holds the generated ground truth.
    let directory = SharedData.temporaryDirectory()
    var database: String { directory.appendingPathComponent("db.sqlite").path }

    init() throws {
        let imported = try run(["import-table", Self.fixtures.truth, "--partial"])
        guard imported.status == 0 else { throw FixtureError(message: "import-table failed: \(imported.stderr)") }
    }

    struct FixtureError: Error { var message: String }

    /// Runs `nb201 ARGUMENTS` on db.sqlite ($NB201_DB) in the working folder (or `directory`) to its end, with
    /// `environment` added to the test's.
    func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> Outcome {
        try run(arguments, signals: [], when: nil, environment: environment, in: directory)
    }

    /// Runs `nb201 ARGUMENTS` on db.sqlite; once its stderr contains `marker`, sends `signals` (a tenth of a second
    /// apart) and waits for its end (at most `limit` seconds in all).
    func run(_ arguments: [String], signals: [Int32], when marker: String?, limit: Double = 120,
             environment: [String: String] = [:], in directory: URL? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? self.directory
        process.environment = ProcessInfo.processInfo.environment.merging(["NB201_DB": database].merging(environment) { $1 }) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // One reader thread per pipe, each the only user of its handle, until end of file.
        let stdout = Mutex(Data()), stderr = Mutex(Data())
        let drained = DispatchGroup()
        for (pipe, sink) in [(out, 0), (err, 1)] {
            drained.enter()
            Thread.detachNewThread {
                while case let chunk = pipe.fileHandleForReading.availableData, !chunk.isEmpty {
                    if sink == 0 { stdout.withLock { $0.append(chunk) } } else { stderr.withLock { $0.append(chunk) } }
                }
                drained.leave()
            }
        }
        try process.run()
        let start = Date()
        var signalled: Date?
        while process.isRunning && Date().timeIntervalSince(start) < limit {
            if signalled == nil, let marker, stderr.withLock({ String(decoding: $0, as: UTF8.self).contains(marker) }) {
                signalled = Date()
                for (n, s) in signals.enumerated() {
                    if n > 0 { Thread.sleep(forTimeInterval: 0.1) }
                    kill(process.processIdentifier, s)
                }
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let ended = Date()
        drained.wait()
        return Outcome(status: process.terminationStatus, stdout: stdout.withLock { String(decoding: $0, as: UTF8.self) },
                       stderr: stderr.withLock { String(decoding: $0, as: UTF8.self) },
                       secondsAfterSignal: signalled.map { ended.timeIntervalSince($0) })
    }
}
