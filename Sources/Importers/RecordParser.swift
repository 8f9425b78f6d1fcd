import Foundation
import Pickle
import Store

/// Turns the benchmark's pickled dicts (ArchResults / ResultsCount, see FORMATS.md) into `ArchRecord`s.
/// Shared by every official layout: NATS simple files, the NATS single file and the NB201 .pth files.
public enum RecordParser {
    /// The training budget of a budget key: '12' / '200' (NATS) or 'less' / 'full' (NB201 .pth).
    static func hp(ofBudgetKey key: PickleValue) -> Int? {
        switch key {
        case .string("less"): 12
        case .string("full"): 200
        case let .string(s): Int(s)
        case let .int(i): i
        default: nil
        }
    }

    /// Parses one architecture: `budgets` is the dict {budget key: ArchResults}.
    /// `compressor` encodes the curves (one per parsing thread).
    public static func architecture(_ budgets: PickleValue, expectedIndex: Int?, context: String, compressor: CurveCompressor) throws -> ArchRecord {
        guard case let .dict(byBudget) = budgets else { throw RecordError(context: context, reason: "expected a dict of training budgets, found \(budgets.typeName)") }
        var index = expectedIndex, archString: String?
        var trials: [TrialRecord] = []
        for (key, results) in byBudget.entries {
            guard let hp = hp(ofBudgetKey: key) else { throw RecordError(context: context, reason: "unknown training budget key \(key)") }
            let ctx = "\(context), budget \(hp)"
            let archIndex = try int(field(results, "arch_index", ctx), "arch_index", ctx)
            let str = try string(field(results, "arch_str", ctx), "arch_str", ctx)
            if let index, index != archIndex { throw RecordError(context: ctx, reason: "arch_index \(archIndex), expected \(index)") }
            if let archString, archString != str { throw RecordError(context: ctx, reason: "arch_str \(str) differs from \(archString)") }
            index = archIndex
            archString = str
            guard case let .dict(all) = try field(results, "all_results", ctx) else {
                throw RecordError(context: ctx, reason: "all_results is not a dict")
            }
            for (runKey, run) in all.entries {
                guard case let .tuple(t) = runKey, t.items.count == 2, case let .string(dataset) = t.items[0] else {
                    throw RecordError(context: ctx, reason: "all_results key \(runKey.typeName) is not (dataset, seed)")
                }
                let seed = try int(t.items[1], "seed in all_results key", ctx)
                trials.append(try trial(run, dataset: dataset, hp: hp, seed: seed, context: "\(ctx), \(dataset) seed \(seed)", compressor: compressor))
            }
        }
        guard let index, let archString else { throw RecordError(context: context, reason: "no training budget") }
        return ArchRecord(index: index, archString: archString, trials: trials)
    }

    /// The metrics of a record, in the order of `SplitFinal`: (metric, training-split field, evaluation-splits field).
    static let metricFields = [("accuracy", "train_acc1es", "eval_acc1es"), ("loss", "train_losses", "eval_losses"),
                               ("time", "train_times", "eval_times")]

    static func trial(_ run: PickleValue, dataset: String, hp: Int, seed: Int, context: String, compressor: CurveCompressor) throws -> TrialRecord {
        let epochs = try int(field(run, "epochs", context), "epochs", context)
        guard (1...10_000).contains(epochs) else { throw RecordError(context: context, reason: "epochs \(epochs)") }
        let recordedSeed: String = switch try field(run, "seed", context) {
        case let .string(s): s
        case let .int(i): String(i)
        case let other: throw RecordError(context: context, reason: "seed is a \(other.typeName)")
        }
        guard Int(recordedSeed) == seed else {
            throw RecordError(context: context, reason: "record seed '\(recordedSeed)' differs from its key's seed \(seed)")
        }
        var latency: Double?
        switch try field(run, "latency", context) {
        case let .list(l) where !l.items.isEmpty:
            latency = try l.items.map { try number($0, "latency", context) }.reduce(0, +) / Double(l.items.count)
        default: latency = nil
        }

        var finals: [SplitFinal] = []
        var curves: [Curve] = []
        let last = epochs - 1
        // Training split: {epoch: value} dicts.
        var trainLast: [Double?] = []
        for (metric, trainField, _) in metricFields {
            let series = try epochSeries(field(run, trainField, context), epochs: epochs, name: trainField, context: context)
            if let series { curves.append(try Curve(split: "train", metric: metric, perEpoch: series, compressor: compressor)) }
            trainLast.append(series?[last].finite)
        }
        finals.append(SplitFinal(split: "train", epoch: last, accuracy: trainLast[0], loss: trainLast[1], time: trainLast[2]))
        // Evaluation splits: {'<split>@<epoch>': value} dicts, one per metric, each read in one pass.
        guard case let .list(names) = try field(run, "eval_names", context) else {
            throw RecordError(context: context, reason: "eval_names is not a list")
        }
        let splits = try names.items.map { try string($0, "eval name", context) }
        var evalLast = [[Double?]](repeating: [], count: splits.count)
        for (metric, _, evalField) in metricFields {
            let series = try evalSeries(field(run, evalField, context), splits: splits, epochs: epochs, context: "\(context), \(metric)")
            for (i, split) in splits.enumerated() {
                curves.append(try Curve(split: split, metric: metric, perEpoch: series[i], compressor: compressor))
                evalLast[i].append(series[i][last].finite)
            }
        }
        for (split, values) in zip(splits, evalLast) {
            finals.append(SplitFinal(split: split, epoch: last, accuracy: values[0], loss: values[1], time: values[2]))
        }
        curves.sort { ($0.split, $0.metric) < ($1.split, $1.metric) }
        return TrialRecord(dataset: dataset, hp: hp, seed: String(seed), recordedSeed: recordedSeed,
                           params: try optionalNumber(field(run, "params", context), "params", context),
                           flops: try optionalNumber(field(run, "flop", context), "flop", context),
                           latency: latency, finals: finals, curves: curves)
    }

    /// A {epoch: value} dict as a dense series (NaN where absent); nil when the record holds None.
    static func epochSeries(_ value: PickleValue, epochs: Int, name: String, context: String) throws -> [Double]? {
        if value == .none { return nil }
        guard case let .dict(d) = value else { throw RecordError(context: context, reason: "\(name) is a \(value.typeName)") }
        var series = [Double](repeating: .nan, count: epochs)
        let epochName = "\(name) epoch" // built once: per entry it was a string allocation per value
        let keys = d.keys, values = d.values // read in place: iterating the pairs copied every key and value
        for i in keys.indices {
            let epoch = try int(keys[i], epochName, context)
            guard (0..<epochs).contains(epoch) else { throw RecordError(context: context, reason: "\(name) has epoch \(epoch) of \(epochs)") }
            series[epoch] = try number(values[i], name, context)
        }
        return series
    }

    /// The '<split>@<epoch>' entries of an eval dict as one dense series per split of `splits`, in one pass over
    /// the dict (keys of other splits are ignored).
    static func evalSeries(_ value: PickleValue, splits: [String], epochs: Int, context: String) throws -> [[Double]] {
        guard case let .dict(d) = value else { throw RecordError(context: context, reason: "eval dict is a \(value.typeName)") }
        var series = [[Double]](repeating: [Double](repeating: .nan, count: epochs), count: splits.count)
        let prefixes = splits.map { Array(($0 + "@").utf8) }
        let keys = d.keys, values = d.values
        for i in keys.indices {
            guard case var .string(key) = keys[i] else { continue }
            key.makeContiguousUTF8() // native strings already are: no copy
            try key.utf8.withContiguousStorageIfAvailable { bytes in
                // The '@' ending each prefix is looked for first: the splits' names differ in length, so at most
                // one prefix per key reaches memcmp (a call per key and split was 2 % of an import's CPU).
                for (split, prefix) in prefixes.enumerated()
                where bytes.count >= prefix.count && bytes[prefix.count - 1] == UInt8(ascii: "@")
                    && memcmp(bytes.baseAddress!, prefix, prefix.count) == 0 {
                    guard let epoch = decimal(UnsafeBufferPointer(rebasing: bytes[prefix.count...])), epoch < epochs else {
                        throw RecordError(context: context, reason: "eval key '\(key)' outside epochs 0..<\(epochs)")
                    }
                    series[split][epoch] = try number(values[i], key, context)
                }
            }
        }
        return series
    }

    /// A non-negative decimal integer of at most 9 digits, as the epoch of an eval key; nil for anything else.
    private static func decimal(_ digits: UnsafeBufferPointer<UInt8>) -> Int? {
        guard (1...9).contains(digits.count) else { return nil }
        var value = 0
        for d in digits {
            guard (0x30...0x39).contains(d) else { return nil }
            value = value * 10 + Int(d - 0x30)
        }
        return value
    }

    // MARK: - Field access

    static func field(_ value: PickleValue, _ name: String, _ context: String) throws -> PickleValue {
        guard case let .dict(d) = value else { throw RecordError(context: context, reason: "expected a dict with '\(name)', found \(value.typeName)") }
        guard let v = d[name] else { throw RecordError(context: context, reason: "missing field '\(name)'") }
        return v
    }

    static func number(_ value: PickleValue, _ name: String, _ context: String) throws -> Double {
        switch value {
        case let .float(d): return d
        case let .int(i): return Double(i)
        case let .numpyScalar(s):
            if let d = s.doubleValue { return d }
        default: break
        }
        throw RecordError(context: context, reason: "\(name) is a \(value.typeName), not a number")
    }

    static func optionalNumber(_ value: PickleValue, _ name: String, _ context: String) throws -> Double? {
        value == .none ? nil : try number(value, name, context)
    }

    static func int(_ value: PickleValue, _ name: String, _ context: String) throws -> Int {
        switch value {
        case let .int(i): return i
        case let .numpyScalar(s):
            if let i = s.intValue { return i }
        default: break
        }
        throw RecordError(context: context, reason: "\(name) is a \(value.typeName), not an integer")
    }

    static func string(_ value: PickleValue, _ name: String, _ context: String) throws -> String {
        switch value {
        case let .string(s): return s
        case let .bytes(b): return String(decoding: b, as: UTF8.self)
        default: throw RecordError(context: context, reason: "\(name) is a \(value.typeName), not a string")
        }
    }
}

extension Double {
    /// nil for NaN (a split not evaluated at that epoch).
    var finite: Double? { isNaN ? nil : self }
}
