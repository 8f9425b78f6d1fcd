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

    /// A fresh temporary directory for one test.
    public static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nb201-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
