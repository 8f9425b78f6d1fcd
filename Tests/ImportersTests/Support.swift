import Foundation
import Store
import TestSupport

/// Paths and scratch databases for the importer tests.
enum Support {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `../shared/data/<relative>`, or nil when absent (the test then skips with a message).
    static func shared(_ relative: String) -> String? {
        let path = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/\(relative)").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func scratch(_ name: String) throws -> URL {
        let dir = SharedData.scratchRoot.appendingPathComponent("importers-\(name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func store(in dir: URL) throws -> BenchmarkStore {
        try BenchmarkStore(path: dir.appendingPathComponent("test.sqlite").path)
    }

    /// A NATS simple directory holding the real meta file and the given architecture files (copies).
    static func natsDirectory(_ dir: URL, archs: [String]) throws -> String? {
        guard let meta = shared("nats-tss/meta.pickle.pbz2") else { return nil }
        let out = dir.appendingPathComponent("NATS-tss-v1_0-3ffb9-simple")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: meta, toPath: out.appendingPathComponent("meta.pickle.pbz2").path)
        for name in archs {
            guard let src = shared("nats-tss/\(name)") else { return nil }
            try FileManager.default.copyItem(atPath: src, toPath: out.appendingPathComponent(name).path)
        }
        return out.path
    }

    /// Runs a python3 command line, returning false when python3 (with numpy) is not available.
    static func python(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Seed mean of one split's final accuracy (trials with numeric seeds).
    static func seedMean(_ store: BenchmarkStore, arch: Int, dataset: String, hp: Int, split: String) throws -> Double? {
        try store.db.scalar("""
            SELECT avg(r.accuracy) FROM trials t JOIN results r ON r.trial_id = t.id
            WHERE t.arch_idx = ? AND t.dataset = ? AND t.hp = ? AND r.split = ? AND t.seed GLOB '[0-9]*'
            """, [SQLValue(arch), .text(dataset), SQLValue(hp), .text(split)])?.double
    }

    static func count(_ store: BenchmarkStore, _ table: String) throws -> Int {
        try store.db.scalar("SELECT count(*) FROM \(table)")?.int ?? 0
    }
}
