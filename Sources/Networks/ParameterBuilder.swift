import Support
import Engine

/// Creates a network's parameters in order, with PyTorch-style names, initialised from one SeededRandom stream.
/// Networks receive their weights from a builder rather than creating them deep inside layers, so a
/// supernet can hand the same layers buffers it fills itself (e.g. merged K-shot weights).
public final class ParameterBuilder {
    public private(set) var parameters: [Parameter] = []
    private var rng: SeededRandom
    private let weightInit: WeightInit

    public init(rng: SeededRandom, weightInit: WeightInit = .pytorchDefault) {
        self.rng = rng
        self.weightInit = weightInit
    }

    /// Conv weight [out, in, k, k].
    public func conv(_ name: String, inChannels: Int, outChannels: Int, kernel: Int) -> Parameter {
        let p = Parameter(name: name, shape: [outChannels, inChannels, kernel, kernel])
        weightInit.fill(p.value.data, count: p.count, fanIn: inChannels * kernel * kernel,
                        fanOut: outChannels * kernel * kernel, using: &rng)
        return register(p)
    }

    /// BatchNorm scale (ones) and shift (zeros), or nil for a non-affine BN.
    public func batchNorm(_ name: String, channels: Int, affine: Bool) -> (gamma: Parameter?, beta: Parameter?) {
        guard affine else { return (nil, nil) }
        let gamma = Parameter(name: name + ".weight", shape: [channels])
        for i in 0..<channels { gamma.value[i] = 1 }
        return (register(gamma), register(Parameter(name: name + ".bias", shape: [channels])))
    }

    /// An affine BatchNorm layer named `name`, or nil when the network is built without BatchNorm.
    public func batchNormLayer(_ name: String, channels: Int, present: Bool) -> BatchNormLayer? {
        guard present else { return nil }
        let (gamma, beta) = batchNorm(name, channels: channels, affine: true)
        return BatchNormLayer(channels: channels, gamma: gamma, beta: beta)
    }

    /// Linear weight [out, in] and bias [out]; the bias is U(-1/sqrt(in), 1/sqrt(in)) as in PyTorch.
    public func linear(_ name: String, inFeatures: Int, outFeatures: Int) -> (weight: Parameter, bias: Parameter) {
        let w = Parameter(name: name + ".weight", shape: [outFeatures, inFeatures])
        weightInit.fill(w.value.data, count: w.count, fanIn: inFeatures, fanOut: outFeatures, using: &rng)
        let b = Parameter(name: name + ".bias", shape: [outFeatures])
        fillUniform(b.value.data, count: outFeatures, bound: 1 / Float(inFeatures).squareRoot(), using: &rng)
        return (register(w), register(b))
    }

    private func register(_ p: Parameter) -> Parameter {
        parameters.append(p)
        return p
    }
}
