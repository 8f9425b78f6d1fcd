import Datasets
import SearchSpace
import Engine
import Foundation

/// The checkpoint file: "NB201SN2", the configuration as JSON (UInt32 length first), the epochs completed, the
/// batches of the current epoch completed and the simplex-net's Adam step count (UInt64 each), then every state tensor as a UInt64 float count followed by
/// its little-endian Float32 values, and last a 64-bit FNV-1a hash of all bytes before it.
/// State tensors, in order: the K items of every weight tensor (item-major), the SGD momentum buffers (tensor-major), every
/// BatchNorm's running mean and variance, and for K > 1 the simplex-net's parameters and Adam moments.
/// Batch order, augmentation and path draws are functions of (seed, iteration), so (epoch, batch) is the whole
/// position: a resumed run replays exactly the draws an uninterrupted one makes.
enum CheckpointFile {
    static let magic = Array("NB201SN2".utf8)

    /// The file's bytes, after checking its header and checksum, its configuration and where the epoch count
    /// starts.
    static func open(_ path: String) throws(SupernetError) -> (bytes: [UInt8], config: SupernetConfig, headerEnd: Int) {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw .checkpointUnreadable(path: path, reason: "\(error)")
        }
        func corrupt(_ why: String) -> SupernetError { .checkpointCorrupt(path: path, reason: why) }
        guard bytes.count >= 8 + 4 + 24 + 8, Array(bytes[0..<8]) == magic else {
            throw corrupt("it does not start with the NB201SN2 header")
        }
        let body = bytes[0..<(bytes.count - 8)]
        guard read(UInt64.self, bytes, at: bytes.count - 8) == fnv1a(body) else {
            throw corrupt("its checksum does not match its contents")
        }
        let jsonLength = Int(read(UInt32.self, bytes, at: 8))
        guard 12 + jsonLength + 24 <= body.count else { throw corrupt("the configuration runs past the end") }
        do {
            let config = try JSONDecoder().decode(SupernetConfig.self, from: Data(bytes[12..<(12 + jsonLength)]))
            return (bytes, config, 12 + jsonLength)
        } catch {
            throw corrupt("unreadable configuration: \(error)")
        }
    }
}

extension SupernetConfig {
    /// The configuration a checkpoint was written under (to rebuild its trainer, e.g. for evaluation).
    public static func stored(in checkpoint: String) throws(SupernetError) -> SupernetConfig {
        try CheckpointFile.open(checkpoint).config
    }
}

extension SupernetTrainer {
    /// Every tensor the checkpoint holds, in file order.
    var stateTensors: [Tensor] {
        var tensors = supernet.dictionary.allItems.map(\.value) + optimizers.flatMap(\.momentumBuffers)
        for s in supernet.batchNormStatistics { tensors += [s.mean, s.variance] }
        if let simplex, let simplexOptimizer {
            tensors += simplex.parameters.map(\.value) + simplexOptimizer.firstMoments + simplexOptimizer.secondMoments
        }
        return tensors
    }

    /// Writes the whole training state to `path` atomically (a temporary file renamed over it).
    public func writeCheckpoint(to path: String) throws(SupernetError) {
        var bytes = CheckpointFile.magic
        let json: Data
        do { json = try JSONEncoder.sorted.encode(config) } catch {
            throw .checkpointWriteFailed(path: path, reason: "encoding the configuration: \(error)")
        }
        append(UInt32(json.count), to: &bytes)
        bytes += json
        append(UInt64(epoch), to: &bytes)
        append(UInt64(batchInEpoch), to: &bytes)
        append(UInt64(simplexOptimizer?.steps ?? 0), to: &bytes)
        for t in stateTensors {
            append(UInt64(t.count), to: &bytes)
            bytes += UnsafeRawBufferPointer(start: t.data, count: t.count * 4)
        }
        append(fnv1a(bytes[...]), to: &bytes)
        let temporary = path + ".partial"
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw .checkpointWriteFailed(path: temporary, reason: "\(error)")
        }
        guard rename(temporary, path) == 0 else {
            throw .checkpointWriteFailed(path: path, reason: "renaming \(temporary) failed (errno \(errno))")
        }
    }

    /// Restores the state written by `writeCheckpoint` into this trainer, which must have been created with the
    /// same configuration. Validates everything before changing anything.
    public func loadCheckpoint(from path: String) throws(SupernetError) {
        let (bytes, stored, headerEnd) = try CheckpointFile.open(path)
        func corrupt(_ why: String) -> SupernetError { .checkpointCorrupt(path: path, reason: why) }
        if stored != config { throw .checkpointConfigurationMismatch(path: path, differences: differences(stored, config)) }
        let body = bytes[0..<(bytes.count - 8)]
        var at = headerEnd
        let epochs = Int(read(UInt64.self, bytes, at: at)), batches = Int(read(UInt64.self, bytes, at: at + 8))
        let adamSteps = Int(read(UInt64.self, bytes, at: at + 16))
        at += 24
        guard epochs <= config.epochs else { throw corrupt("it records \(epochs) epochs of a \(config.epochs)-epoch run") }
        guard batches < plan.batchesPerEpoch, epochs < config.epochs || batches == 0 else {
            throw corrupt("it records batch \(batches) of an epoch of \(plan.batchesPerEpoch) batches")
        }
        var offsets: [Int] = []
        for (n, t) in stateTensors.enumerated() {
            guard at + 8 <= body.count, Int(read(UInt64.self, bytes, at: at)) == t.count, at + 8 + 4 * t.count <= body.count else {
                throw corrupt("state tensor \(n) is missing or has the wrong size (expected \(t.count) floats)")
            }
            offsets.append(at + 8)
            at += 8 + 4 * t.count
        }
        guard at == body.count else { throw corrupt("\(body.count - at) unexpected bytes after the last tensor") }
        bytes.withUnsafeBytes { raw in
            for (t, offset) in zip(stateTensors, offsets) {
                UnsafeMutableRawPointer(t.data).copyMemory(from: raw.baseAddress! + offset, byteCount: 4 * t.count)
            }
        }
        epoch = epochs
        batchInEpoch = batches
        simplexOptimizer?.steps = adamSteps
    }

    /// A trainer resumed from `path` (checked against `config`), or a fresh one when no file is there.
    public static func resuming(from path: String, config: SupernetConfig, training: Subset,
                                dataset: BenchmarkDataset) throws(SupernetError) -> SupernetTrainer {
        let trainer = try SupernetTrainer(config: config, training: training, dataset: dataset)
        if FileManager.default.fileExists(atPath: path) { try trainer.loadCheckpoint(from: path) }
        return trainer
    }
}

private extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

/// "field: stored X, this run Y" for every configuration field that differs.
private func differences(_ stored: SupernetConfig, _ current: SupernetConfig) -> [String] {
    func fields(_ c: SupernetConfig) -> [String: String] {
        guard let data = try? JSONEncoder.sorted.encode(c),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object.mapValues { value in
            (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
        }
    }
    let a = fields(stored), b = fields(current)
    return Set(a.keys).union(b.keys).sorted().compactMap { key in
        a[key] == b[key] ? nil : "\(key): checkpoint \(a[key] ?? "absent"), this run \(b[key] ?? "absent")"
    }
}

private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
}

private func read<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
    var value: T = 0
    withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset..<(offset + MemoryLayout<T>.size)]) }
    return T(littleEndian: value)
}

private func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    bytes.withUnsafeBufferPointer { p in for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 } }
    return h
}
