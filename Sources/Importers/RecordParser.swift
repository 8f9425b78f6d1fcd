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
        let trainSeries = try ["accuracy": "train_acc1es", "loss": "train_losses", "time": "train_times"].mapValues {
            try epochSeries(field(run, $0, context), epochs: epochs, name: $0, context: context)
        }
        for metric in ["accuracy", "loss", "time"] where trainSeries[metric]! != nil {
            curves.append(try Curve(split: "train", metric: metric, perEpoch: trainSeries[metric]!!, compressor: compressor))
        }
        finals.append(SplitFinal(split: "train", epoch: last, accuracy: trainSeries["accuracy"]!?[last].finite,
                                 loss: trainSeries["loss"]!?[last].finite, time: trainSeries["time"]!?[last].finite))
        // Evaluation splits: {'<split>@<epoch>': value} dicts.
        guard case let .list(names) = try field(run, "eval_names", context) else {
            throw RecordError(context: context, reason: "eval_names is not a list")
        }
        let evalDicts = try ["accuracy": "eval_acc1es", "loss": "eval_losses", "time": "eval_times"].mapValues {
            try field(run, $0, context)
        }
        for nameValue in names.items {
            let split = try string(nameValue, "eval name", context)
            var series: [String: [Double]] = [:]
            for (metric, dict) in evalDicts {
                series[metric] = try evalSeries(dict, split: split, epochs: epochs, context: "\(context), \(metric)")
                curves.append(try Curve(split: split, metric: metric, perEpoch: series[metric]!, compressor: compressor))
            }
            finals.append(SplitFinal(split: split, epoch: last, accuracy: series["accuracy"]![last].finite,
                                     loss: series["loss"]![last].finite, time: series["time"]![last].finite))
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
        for (k, v) in d.entries {
            let epoch = try int(k, "\(name) epoch", context)
            guard (0..<epochs).contains(epoch) else { throw RecordError(context: context, reason: "\(name) has epoch \(epoch) of \(epochs)") }
            series[epoch] = try number(v, name, context)
        }
        return series
    }

    /// The '<split>@<epoch>' entries of an eval dict for one split, as a dense series.
    static func evalSeries(_ value: PickleValue, split: String, epochs: Int, context: String) throws -> [Double] {
        guard case let .dict(d) = value else { throw RecordError(context: context, reason: "eval dict is a \(value.typeName)") }
        var series = [Double](repeating: .nan, count: epochs)
        let prefix = Array((split + "@").utf8)
        for (k, v) in d.entries {
            guard case let .string(key) = k, key.utf8.starts(with: prefix) else { continue }
            guard let epoch = Int(Substring(key.utf8.dropFirst(prefix.count))), (0..<epochs).contains(epoch) else {
                throw RecordError(context: context, reason: "eval key '\(key)' outside epochs 0..<\(epochs)")
            }
            series[epoch] = try number(v, key, context)
        }
        return series
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
