import ArgumentParser
import Foundation
import Reports
import SearchSpace
import Store

/// `--db`, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite file (default: $NB201_DB, else nb201.sqlite).")
    var db: String = BenchmarkStore.defaultPath

    func open(readOnly: Bool = false) throws -> BenchmarkStore { try BenchmarkStore(path: db, readOnly: readOnly) }

    /// Runs an import into the database; when the import fails and the file was created for it and holds no
    /// architecture, the file is removed again (a failed first import leaves no empty database behind).
    func importing(_ body: (BenchmarkStore) throws -> Void) throws {
        let existed = FileManager.default.fileExists(atPath: db)
        let store = try open()
        do {
            try body(store)
        } catch {
            if !existed, store.architectureCount == 0 {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
            }
            throw error
        }
    }
}

/// The split files' directory when --splits is not given: $NB201_SPLITS, else ../shared/data/splits from the working
/// directory, else shared/data/splits beside the nb201 checkout the binary was built from (the project's layout).
struct SplitsNotFound: Error, CustomStringConvertible {
    let tried: [String]
    var description: String {
        "no directory of NB201 split files found; tried \(tried.joined(separator: ", ")); pass --splits DIR or set NB201_SPLITS"
    }
}

/// `given` (--splits), else the first existing directory of the documented search list (see `SplitsNotFound`).
func locateSplits(_ given: String?) throws -> String {
    if let given { return given }
    var candidates: [(label: String, path: String)] = []
    if let variable = ProcessInfo.processInfo.environment["NB201_SPLITS"] { candidates.append(("$NB201_SPLITS", variable)) }
    candidates.append(("the working directory's ../shared/data/splits", "../shared/data/splits"))
    let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(("the nb201 checkout's", checkout.deletingLastPathComponent().appendingPathComponent("shared/data/splits").path))
    for candidate in candidates {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue { return candidate.path }
    }
    throw SplitsNotFound(tried: candidates.map { "\($0.label) \($0.path)" })
}

extension DatabaseOptions {
    /// Checkpoints go beside the database (`<db>.checkpoints/`) unless --checkpoints says otherwise, so a run's files
    /// stay with its database wherever the command runs. Runs begun under the former default (./nb201-checkpoints)
    /// keep it while it exists and the new folder does not, with a note.
    func checkpointDirectory(_ given: String?) -> String {
        if let given { return given }
        let beside = db + ".checkpoints", former = "nb201-checkpoints"
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: beside) && fileManager.fileExists(atPath: former) {
            FileHandle.standardError.write(Data("note: using the checkpoints in ./\(former) (the former default; the default is now \(beside)); move them there or pass --checkpoints\n".utf8))
            return former
        }
        return beside
    }
}

/// Runs a command body, turning the library's typed errors into a message on stderr and an exit code:
/// 2 for input the user can correct (unknown architecture, dataset, split, hp, seed, ambiguous choice), 1 otherwise.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as CustomStringConvertible & Error {
        // The library's typed errors describe themselves (ExitCode is not one of them); ExitStatus classifies them.
        printError(e.description)
        throw ExitStatus.of(e).code
    }
}

/// Counts and sizes given on the command line must be at least `minimum` (nil: not given): else exit code 2 naming
/// the option, its value and what is valid.
func requireAtLeast(_ minimum: Int, _ options: KeyValuePairs<String, Int?>) throws {
    for case let (option, value?) in options where value < minimum {
        printError("\(option) \(value) is invalid: it must be a whole number of at least \(minimum)")
        throw ExitStatus.usage.code
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Left-aligned text table for terminal output.
func formatTable(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
}

func format(_ x: Double?, _ digits: Int = 4) -> String {
    guard let x else { return "-" }
    return String(format: "%.\(digits)f", x)
}

/// `--dataset` parses into the benchmark dataset (official names case-insensitively, plus common spellings); the
/// argument parser names the valid ones and exits 2 for any other.
extension BenchmarkDataset: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension TableFormat: ExpressibleByArgument {}
extension RunKind: ExpressibleByArgument {}

/// A benchmark dataset stored as text (a run's dataset), or exit code 2 naming the valid ones.
func parseDataset(_ name: String) throws -> BenchmarkDataset {
    guard let d = BenchmarkDataset(name: name) else {
        printError("unknown dataset '\(name)'; valid: \(BenchmarkDataset.allCases.map(\.rawValue).joined(separator: ", "))")
        throw ExitStatus.usage.code
    }
    return d
}
