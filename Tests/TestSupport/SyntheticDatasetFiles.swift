import Foundation

/// Full-size datasets in the release layouts, with seeded random pixels, for pipelines that read real files:
/// CIFAR-10 (`cifar-10-batches-bin`), CIFAR-100 (`cifar-100-binary`) and ImageNet16-120 (the `ImageNet16` python
/// batches, labels 1...120 only), plus NB201 split files of the real sizes. The readers insist on the release
/// image counts, so nothing is shrunk. Pixels are seeded noise plus a brightness that grows with the label, so a
/// network can learn something and different paths score differently. Labels repeat in pairs ((i / 2) mod
/// classes), so the even/odd halves the split files take both hold every class.
public enum SyntheticDatasetFiles {
    public enum Layout: Sendable { case cifar10, cifar100, imageNet16 }

    /// CIFAR-10 files and split file generated once per test process (176 MB, a few seconds) for the tests that
    /// only read them.
    public static let sharedCIFAR10: (data: String, splits: String) = {
        let dir = SharedData.temporaryDirectory()
        let splits = dir.appendingPathComponent("splits").path
        return (try! write(.cifar10, to: dir.appendingPathComponent("cifar-10-batches-bin").path, splits: splits), splits)
    }()

    /// Writes the layout's files into `directory` and its split file into `splits`; returns `directory`.
    @discardableResult
    public static func write(_ layout: Layout, to directory: String, splits: String, seed: UInt64 = 1) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: splits, withIntermediateDirectories: true)
        var state = seed | 1
        func pixels(_ count: Int) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: count)
            for i in stride(from: 0, to: count, by: 8) {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                withUnsafeBytes(of: state) { raw in for j in 0..<min(8, count - i) { out[i + j] = raw[j] } }
            }
            return out
        }
        func save(_ bytes: [UInt8], _ name: String) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
        }
        switch layout {
        case .cifar10:
            // 1 label byte + 3,072 pixels per record; 5 train batches of 10,000 and a test batch.
            for name in (1...5).map({ "data_batch_\($0).bin" }) + ["test_batch.bin"] {
                try save(records(10_000, labelBytes: { [UInt8($0 / 2 % 10)] }, pixels: pixels), name)
            }
            try splitFile(["train": stride(from: 0, to: 50_000, by: 2).map { $0 }, "valid": stride(from: 1, to: 50_000, by: 2).map { $0 }],
                          to: splits, name: "cifar-split.txt")
        case .cifar100:
            // Coarse label, fine label, 3,072 pixels per record.
            try save(records(50_000, labelBytes: { [UInt8($0 / 2 % 100 / 5), UInt8($0 / 2 % 100)] }, pixels: pixels), "train.bin")
            try save(records(10_000, labelBytes: { [UInt8($0 / 2 % 100 / 5), UInt8($0 / 2 % 100)] }, pixels: pixels), "test.bin")
            try testSplit(10_000, to: splits, name: "cifar100-test-split.txt")
        case .imageNet16:
            // 151,700 train images over 10 batches and 6,000 val images, labels 1...120 (the benchmark's share).
            let perBatch = 15_170
            func images(_ labels: [Int]) -> [UInt8] {
                let noise = pixels(labels.count * 768)
                return labels.enumerated().flatMap { i, label in labelled(noise[i * 768 ..< (i + 1) * 768], label: label - 1, classes: 120) }
            }
            for b in 1...10 {
                let labels = (0..<perBatch).map { 1 + ($0 / 2 + b) % 120 }
                try save(PickleWriter.dict([("data", .array("u1", [perBatch, 768], images(labels))), ("labels", .ints(labels))],
                                           dialect: .python3), "train_data_batch_\(b)")
            }
            let valLabels = (0..<6_000).map { 1 + $0 / 2 % 120 }
            try save(PickleWriter.dict([("data", .array("u1", [6_000, 768], images(valLabels))), ("labels", .ints(valLabels))],
                                       dialect: .python3), "val_data")
            try testSplit(6_000, to: splits, name: "imagenet-16-120-test-split.txt")
        }
        return directory
    }

    private static func records(_ count: Int, labelBytes: (Int) -> [UInt8], pixels: (Int) -> [UInt8]) -> [UInt8] {
        let image = pixels(count * 3072)
        var out: [UInt8] = []
        out.reserveCapacity(count * (3072 + 2))
        for i in 0..<count {
            let labels = labelBytes(i)
            out += labels
            out += labelled(image[i * 3072 ..< (i + 1) * 3072], label: Int(labels.last!), classes: labels.count == 1 ? 10 : 100)
        }
        return out
    }

    /// A brightness proportional to the label plus a little noise (an easy signal even for a few SGD steps).
    private static func labelled(_ noise: ArraySlice<UInt8>, label: Int, classes: Int) -> [UInt8] {
        let level = 224 * label / classes
        return noise.map { UInt8(Int($0) / 8 + level) }
    }

    /// x-valid and x-test halves of a test set, interleaved.
    private static func testSplit(_ count: Int, to splits: String, name: String) throws {
        try splitFile(["xvalid": stride(from: 0, to: count, by: 2).map { $0 }, "xtest": stride(from: 1, to: count, by: 2).map { $0 }],
                      to: splits, name: name)
    }

    /// The NB201 split-file format: {"key": ["int", ["0", "5", ...]], ...}.
    private static func splitFile(_ parts: [String: [Int]], to splits: String, name: String) throws {
        let body = parts.keys.sorted().map { key in
            "\"\(key)\": [\"int\", [" + parts[key]!.map { "\"\($0)\"" }.joined(separator: ", ") + "]]"
        }.joined(separator: ",\n")
        try Data("{\n\(body)\n}\n".utf8).write(to: URL(fileURLWithPath: splits).appendingPathComponent(name))
    }
}
