import Foundation

/// Whole-file reads and path joins with errors that say which file and what it should have held.
enum FileBytes {
    /// The file's bytes; `expected` describes the file for the missing-file message (e.g. "a CIFAR-10 batch").
    static func read(_ path: String, expected: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DatasetError.missingFile(path: path, expected: expected)
        }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DatasetError.unreadableFile(path: path, reason: "\(error)")
        }
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}
