import Store

/// One architecture's benchmark records, as typed values independent of the file they came from.
public struct ArchRecord: Sendable {
    public let index: Int
    public let archString: String
    public let trials: [TrialRecord]
}

/// One training run: (dataset, hp, seed), its final-epoch values per split, per-epoch curves and costs.
public struct TrialRecord: Sendable {
    public let dataset: String
    /// Training budget in epochs (12 or 200).
    public let hp: Int
    /// The seed as a decimal string ("777"), from the results key.
    public let seed: String
    /// The seed as the record itself spells it (the official files say "0777").
    public let recordedSeed: String
    public let params: Double?
    public let flops: Double?
    /// Mean of the recorded latencies (seconds), as the reference API reports it.
    public let latency: Double?
    public let finals: [SplitFinal]
    public let curves: [Curve]
}

/// A split's values at the trial's last epoch.
public struct SplitFinal: Sendable, Equatable {
    public let split: String
    public let epoch: Int
    public let accuracy: Double?
    public let loss: Double?
    public let time: Double?
}

/// One metric of one split over epochs 0..<n; NaN where the split was not evaluated that epoch.
public struct Curve: Sendable {
    public let split: String
    public let metric: String
    public let perEpoch: [Double]
    /// The series as stored, encoded on the parsing thread.
    public let encoded: EncodedCurve

    init(split: String, metric: String, perEpoch: [Double], compressor: CurveCompressor) throws {
        self.split = split
        self.metric = metric
        self.perEpoch = perEpoch
        encoded = try compressor.encode(perEpoch)
    }
}

/// A record that does not have the benchmark's structure, with where it is.
public struct RecordError: Error, CustomStringConvertible {
    public let context: String
    public let reason: String
    public var description: String { "\(context): \(reason)" }
}
