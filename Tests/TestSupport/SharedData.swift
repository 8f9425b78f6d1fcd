import Foundation

/// Locates `../shared/data` beside the package root (where developers and CI have it) for tests that read
/// real data; such tests skip with a message naming the missing file when it is absent.
public enum SharedData {
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() } // Tests/TestSupport/SharedData.swift
        return url
    }()

    public static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    /// The path of a file under shared/data if it exists.
    public static func path(_ relative: String) -> String? {
        let p = root.appendingPathComponent(relative).path
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }

    public static let groundTruthMerged = "groundtruth/nb201_groundtruth_merged.csv"

    /// This test process's scratch folder, `nb201-test-PID` in the system's temporary directory, removed with
    /// everything in it when the process exits. Suite runs used to leave ~1.5 GB each in /tmp (generated datasets,
    /// databases, checkpoints) and one CI run ran out of disk, so the folders of test processes that are gone
    /// (crashed, killed, or from before this folder existed) are removed first.
    public static let scratchRoot: URL = {
        let files = FileManager.default, temporary = files.temporaryDirectory
        for name in (try? files.contentsOfDirectory(atPath: temporary.path)) ?? [] where isLeftover(name) {
            try? files.removeItem(at: temporary.appendingPathComponent(name))
        }
        let url = temporary.appendingPathComponent("nb201-test-\(getpid())")
        try! files.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: SharedData.scratchRoot) }
        return url
    }()

    /// A scratch folder of a test process that no longer runs: `nb201-test-PID` whose PID is this one (reused) or
    /// dead, or one named the way earlier versions of the tests named theirs (nb201-test-UUID, nb201-importers-PID-*,
    /// nb201-pickle-tests-PID), which no running test writes any more.
    public static func isLeftover(_ name: String) -> Bool {
        if name.hasPrefix("nb201-importers-") || name.hasPrefix("nb201-pickle-tests-") { return true }
        guard name.hasPrefix("nb201-test-") else { return false }
        guard let pid = pid_t(name.dropFirst("nb201-test-".count)) else { return true }
        return pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH)
    }

    /// A fresh temporary directory for one test, inside `scratchRoot`.
    public static func temporaryDirectory() -> URL {
        let url = scratchRoot.appendingPathComponent(UUID().uuidString)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
