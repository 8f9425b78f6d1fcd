import Support
/// Weight initialisation, every draw from the run's SeededRandom.
public enum WeightInit: String, Sendable, Hashable, CaseIterable {
    /// PyTorch's default for Conv2d and Linear (kaiming_uniform with a = sqrt(5)): U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
    case pytorchDefault
    /// kaiming_normal_(mode="fan_out", nonlinearity="relu"): N(0, 2 / fanOut), common for ResNet-style nets.
    case kaimingNormalFanOut

    /// Fills `count` weights of a layer with the given fan-in and fan-out.
    public func fill(_ w: UnsafeMutablePointer<Float>, count: Int, fanIn: Int, fanOut: Int, using rng: inout SeededRandom) {
        switch self {
        case .pytorchDefault:
            fillUniform(w, count: count, bound: 1 / Float(fanIn).squareRoot(), using: &rng)
        case .kaimingNormalFanOut:
            let std = (2 / Float(fanOut)).squareRoot()
            for i in 0..<count { w[i] = std * rng.nextGaussian() }
        }
    }
}

/// U(-bound, bound), e.g. PyTorch's default Linear bias with bound 1/sqrt(fanIn).
public func fillUniform(_ w: UnsafeMutablePointer<Float>, count: Int, bound: Float, using rng: inout SeededRandom) {
    for i in 0..<count { w[i] = (2 * rng.nextFloat() - 1) * bound }
}
