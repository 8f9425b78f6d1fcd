import Foundation

/// One NAS-Bench-201 split file: JSON `{"train": ["int", ["0", "5", ...]], "valid": [...]}`, each key naming
/// a list of image indices (decimal strings) into the set it splits.
public struct SplitFile: Sendable {
    public let path: String
    public let parts: [String: [Int]]

    public init(path: String, parts: [String: [Int]]) {
        self.path = path
        self.parts = parts
    }

    public static func read(_ path: String) throws -> SplitFile {
        let bytes = try FileBytes.read(path, expected: "a NAS-Bench-201 split file (JSON)")
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw DatasetError.malformedSplitFile(path: path, reason: "not JSON (\(error))")
        }
        guard let object = json as? [String: Any], !object.isEmpty else {
            throw DatasetError.malformedSplitFile(path: path, reason: "expected a non-empty JSON object")
        }
        var parts = [String: [Int]]()
        for (key, value) in object {
            guard let pair = value as? [Any], pair.count == 2, pair[0] as? String == "int",
                  let strings = pair[1] as? [String]
            else {
                throw DatasetError.malformedSplitFile(
                    path: path, reason: "\"\(key)\" is not [\"int\", [\"0\", \"5\", ...]]")
            }
            var indices = [Int]()
            indices.reserveCapacity(strings.count)
            for s in strings {
                guard let i = Int(s), i >= 0 else {
                    throw DatasetError.malformedSplitFile(
                        path: path, reason: "\"\(key)\" holds \"\(s)\", expected a non-negative decimal integer")
                }
                indices.append(i)
            }
            parts[key] = indices
        }
        return SplitFile(path: path, parts: parts)
    }

    /// The indices under `key`, each checked to lie in 0..<count (the size of the set being split).
    public func indices(_ key: String, within count: Int) throws -> [Int] {
        guard let list = parts[key] else {
            throw DatasetError.malformedSplitFile(
                path: path, reason: "no key \"\(key)\" (keys: \(parts.keys.sorted().joined(separator: ", ")))")
        }
        if let bad = list.first(where: { $0 >= count }) {
            throw DatasetError.splitIndexOutOfRange(path: path, key: key, index: bad, count: count)
        }
        return list
    }
}
