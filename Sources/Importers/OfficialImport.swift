import Foundation
import Pickle
import SearchSpace
import Store
import Support

/// What `OfficialImport.run` did.
public struct OfficialImportSummary: Sendable, Codable {
    public let path: String
    /// `nats-simple`, `nats-file` or `nb201-pth` (the `sources.kind` of data/SCHEMA.md).
    public let layout: String
    /// Files whose checksum the database already held (nothing written for them).
    public let filesSkipped: Int
    public let filesImported: Int
    public let architectures: Int
    public let trials: Int
    public let results: Int
    public let curves: Int
    public let seconds: Double
}

/// Imports the official benchmark files into the store, recognising the layout from the path's contents:
/// - a NATS-Bench "simple" directory (`meta.pickle.pbz2` + `NNNNNN.pickle.pbz2`): every file is a source of its own,
///   written in batches of transactions, so an interrupted import resumes where it stopped and a re-import is a no-op;
///   two threads decompress and unpickle while the calling thread writes;
/// - a single file (NATS `.pickle.pbz2`, NB201 v1.0/v1.1 `.pth` in the legacy or zip torch container): streamed entry
///   by entry (`arch2infos`) with the two-pass memo, parsed on a second thread, written in one transaction.
public enum OfficialImport {
    static let metaFile = "meta.pickle.pbz2"

    public static func run(path: String, into store: BenchmarkStore, progress: Bool = true) throws -> OfficialImportSummary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw StoreError.fileUnreadable(path) }
        return try store.appendingInBulk {
            isDirectory.boolValue
                ? try importSimpleDirectory(path, store, progress: progress)
                : try importSingleFile(path, store, progress: progress)
        }
    }

    // MARK: - Single file

    private enum Streamed: @unchecked Sendable {
        case record(ArchRecord)
        case root(PickleValue, layout: String)
        case failed(Error)
    }

    private static func importSingleFile(_ path: String, _ store: BenchmarkStore, progress: Bool) throws -> OfficialImportSummary {
        let start = Date()
        let file = try PickleFile(path: path)
        let layout = file.layout == .pickle ? "nats-file" : "nb201-pth"
        // Progress in megabytes of the payload where its size is known (plain or zip .pth), else in architectures.
        let payloadMB = try file.payloadSize().map { $0 >> 20 }
        let meter = ProgressMeter(label: URL(fileURLWithPath: path).lastPathComponent, total: payloadMB ?? Cell.spaceSize,
                                  unit: payloadMB == nil ? "architectures" : "MB", quiet: !progress)
        meter.message("computing the SHA-256 checksum")
        let (sha, size) = try SHA256.file(path)
        if try store.source(sha256: sha) != nil {
            return summary(path, layout, skipped: 1, imported: 0, counts: [:], start)
        }
        meter.message("pass 1 of 2: counting memo reads")
        let queue = WorkQueue<Streamed>(capacity: 8, producers: 1)
        let cancelled = Flag()
        let written = Counter()
        startThread {
            do {
                let compressor = try CurveCompressor()
                var stream = StreamRequest(path: [.string("arch2infos")]) { key, value in
                    if cancelled.isSet { throw CancellationError() }
                    let index = try RecordParser.int(key, "arch2infos key", path)
                    queue.push(.record(try RecordParser.architecture(value, expectedIndex: index, context: "\(path), architecture \(index)",
                                                                     compressor: compressor)))
                }
                if payloadMB != nil {
                    stream.progress = { offset in meter.update(to: offset >> 20, note: "\(written.value) architectures") }
                }
                queue.push(.root(try file.load(stream: stream, memo: .scanFirst).object, layout: layout))
            } catch {
                queue.push(.failed(error))
            }
            queue.finish()
        }
        do {
            return try store.db.transaction {
                let sourceID = try store.addSource(path: absolute(path), kind: layout, sizeBytes: size, sha256: sha)
                let writer = try RecordWriter(store: store, sourceID: sourceID)
                var archStrings: [Int: String] = [:]
                while let item = queue.pop() {
                    switch item {
                    case let .record(record):
                        try writer.write(record, context: "\(path), architecture \(record.index)")
                        archStrings[record.index] = record.archString
                        written.increment()
                        if payloadMB == nil { meter.update(to: archStrings.count) }
                    case let .root(root, _):
                        try checkMeta(root, against: archStrings, path: path, writer: writer)
                    case let .failed(error):
                        throw error
                    }
                }
                meter.finish(at: payloadMB ?? archStrings.count, note: payloadMB == nil ? "" : "\(archStrings.count) architectures")
                try writer.finish()
                return summary(path, layout, skipped: 0, imported: 1, counts: writer.counts, start)
            }
        } catch {
            cancelled.set()
            while queue.pop() != nil {}
            throw error
        }
    }

    /// The root object: `meta_archs` must name each streamed architecture's string at its index; architectures
    /// listed there without records are still added; a record count different from `total_archs` is noted.
    private static func checkMeta(_ root: PickleValue, against archStrings: [Int: String], path: String,
                                  writer: RecordWriter) throws {
        let names = try metaArchs(root, context: path)
        for (index, archString) in archStrings {
            guard index < names.count, names[index] == archString else {
                throw RecordError(context: "\(path), architecture \(index)", reason: "arch_str \(archString) differs from meta_archs")
            }
        }
        for (index, name) in names.enumerated() where archStrings[index] == nil {
            try writer.addArchitecture(index: index, archString: name, context: "\(path), meta_archs[\(index)]")
        }
        if archStrings.count != names.count {
            try writer.store.addNote(source: writer.sourceID, arch: nil,
                                     "\(archStrings.count) architectures have records, meta_archs lists \(names.count)")
        }
    }

    static func metaArchs(_ root: PickleValue, context: String) throws -> [String] {
        guard case let .list(list) = try RecordParser.field(root, "meta_archs", context) else {
            throw RecordError(context: context, reason: "meta_archs is not a list")
        }
        let names = try list.items.map { try RecordParser.string($0, "meta_archs entry", context) }
        guard names.count <= Cell.spaceSize else { throw RecordError(context: context, reason: "\(names.count) architectures in meta_archs") }
        return names
    }

    // MARK: - NATS simple directory

    private enum Parsed: @unchecked Sendable {
        case record(path: String, sha256: String, size: Int, ArchRecord)
        case skipped
        case failed(Error)
    }

    private static func importSimpleDirectory(_ dir: String, _ store: BenchmarkStore, progress: Bool) throws -> OfficialImportSummary {
        let start = Date()
        let metaPath = (dir as NSString).appendingPathComponent(metaFile)
        guard FileManager.default.fileExists(atPath: metaPath) else {
            throw RecordError(context: dir, reason: "a directory to import must be a NATS-Bench simple layout holding \(metaFile)")
        }
        let known = Set(try store.sources().map(\.sha256))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { $0.count == 18 && $0.hasSuffix(".pickle.pbz2") && Int($0.prefix(6)) != nil }.sorted()
        // The parsing threads start first: they need nothing from the meta file, whose 15,625 architecture rows
        // this thread writes meanwhile (the first records wait in the queue). The queue holds 128 records (~60 KB
        // each): with 16, the parsers stopped whenever a 64-file transaction was committing, and the import used
        // 1.7 of the 2 cores.
        let threads = 2
        let queue = WorkQueue<Parsed>(capacity: 128, producers: threads)
        let next = Counter()
        let cancelled = Flag()
        for _ in 0..<threads {
            startThread {
                defer { queue.finish() }
                let compressor: CurveCompressor
                do { compressor = try CurveCompressor() } catch {
                    queue.push(.failed(RecordError(context: dir, reason: "\(error)")))
                    return
                }
                while !cancelled.isSet, let i = next.take(below: files.count) {
                    let path = (dir as NSString).appendingPathComponent(files[i])
                    do {
                        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                        let sha = digest(bytes)
                        if known.contains(sha) { queue.push(.skipped); continue }
                        let record = try RecordParser.architecture(try PickleFile.load(bytes: bytes),
                                                                   expectedIndex: Int(files[i].prefix(6))!, context: path, compressor: compressor)
                        queue.push(.record(path: path, sha256: sha, size: bytes.count, record))
                    } catch {
                        queue.push(.failed(RecordError(context: path, reason: "\(error)")))
                    }
                }
            }
        }
        func stopParsing() {
            cancelled.set()
            while queue.pop() != nil {}
        }

        var counts: [String: Int] = [:]
        var imported = 0, skipped = 0
        let names: [String]
        do {
            let metaBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: metaPath)))
            names = try metaArchs(try PickleFile.load(bytes: metaBytes), context: metaPath)
            let metaSHA = digest(metaBytes)
            if known.contains(metaSHA) {
                skipped += 1
            } else {
                try store.db.transaction {
                    let id = try store.addSource(path: absolute(metaPath), kind: "nats-simple", sizeBytes: metaBytes.count, sha256: metaSHA)
                    let writer = try RecordWriter(store: store, sourceID: id)
                    for (index, name) in names.enumerated() {
                        try writer.addArchitecture(index: index, archString: name, context: "\(metaPath), meta_archs[\(index)]")
                    }
                    try writer.finish()
                }
                imported += 1
            }
        } catch {
            stopParsing()
            throw error
        }

        let meter = ProgressMeter(label: URL(fileURLWithPath: dir).lastPathComponent, total: files.count, unit: "architectures",
                                  quiet: !progress)
        do {
            var done = 0
            // Records land in transactions of 64: a failure keeps the batches before it (a rerun skips their files).
            var batch: [(path: String, sha256: String, size: Int, record: ArchRecord)] = []
            func commit() throws {
                guard !batch.isEmpty else { return }
                try store.db.transaction {
                    for pending in batch {
                        let id = try store.addSource(path: absolute(pending.path), kind: "nats-simple", sizeBytes: pending.size, sha256: pending.sha256)
                        let writer = try RecordWriter(store: store, sourceID: id)
                        try writer.write(pending.record, context: pending.path)
                        try writer.finish()
                        for (k, v) in writer.counts { counts[k, default: 0] += v }
                        imported += 1
                    }
                }
                batch.removeAll(keepingCapacity: true)
            }
            while let item = queue.pop() {
                done += 1
                switch item {
                case .skipped:
                    skipped += 1
                case let .failed(error):
                    throw error
                case let .record(path, sha, size, record):
                    guard record.index < names.count, names[record.index] == record.archString else {
                        throw RecordError(context: path, reason: "arch_str \(record.archString) differs from meta_archs[\(record.index)]")
                    }
                    batch.append((path, sha, size, record))
                    if batch.count == 64 { try commit() }
                }
                meter.update(to: done)
            }
            try commit()
            meter.finish(at: done)
        } catch {
            stopParsing()
            throw error
        }
        return summary(dir, "nats-simple", skipped: skipped, imported: imported, counts: counts, start)
    }

    // MARK: - Helpers

    private static func summary(_ path: String, _ layout: String, skipped: Int, imported: Int, counts: [String: Int],
                                _ start: Date) -> OfficialImportSummary {
        OfficialImportSummary(path: path, layout: layout, filesSkipped: skipped, filesImported: imported,
                              architectures: counts["architectures"] ?? 0, trials: counts["trials"] ?? 0,
                              results: counts["results"] ?? 0, curves: counts["curves"] ?? 0,
                              seconds: Date().timeIntervalSince(start))
    }

    private static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    private static func digest(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

/// A flag set once, read from any thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Hands out 0, 1, 2, ... to worker threads, or counts events across threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    var value: Int { lock.withLock { next } }
    func increment() { lock.withLock { next += 1 } }
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard next < limit else { return nil }
            defer { next += 1 }
            return next
        }
    }
}
