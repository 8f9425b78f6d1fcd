import CBLAS

/// SGD with momentum, optional Nesterov and weight decay, with PyTorch's torch.optim.SGD semantics:
/// g = grad + weightDecay * p; buf = momentum * buf + g (buf = g on the first step, dampening 0);
/// nesterov: g = g + momentum * buf, else g = buf; p -= lr * g.
public final class SGD: @unchecked Sendable {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    /// A var so a step can hand the decay to the caller (the K-shot trainer decays merged weights itself).
    public var weightDecay: Float
    public let nesterov: Bool
    private let buffers: [Tensor]

    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 5e-4, nesterov: Bool = true) {
        precondition(!nesterov || momentum > 0, "Nesterov momentum requires momentum > 0")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = parameters.map { Tensor(shape: $0.value.shape) }
    }

    /// One update of every parameter from its accumulated gradient (gradients are left as they are).
    public func step() { step(only: parameters.indices) }

    /// One update of the parameters at `indices` alone: the others keep their values and momentum, as PyTorch leaves
    /// a parameter whose gradient is None.
    public func step(only indices: some Sequence<Int>) {
        for j in indices {
            let w = parameters[j].value.data, g = parameters[j].grad.data, b = buffers[j].data
            for i in 0..<parameters[j].count {
                let d = g[i] + weightDecay * w[i]
                b[i] = momentum * b[i] + d
                w[i] -= learningRate * (nesterov ? d + momentum * b[i] : b[i])
            }
        }
    }

    public func zeroGradients() {
        for p in parameters { p.grad.zero() }
    }

    /// The momentum buffers, in parameter order (for checkpoints and tests).
    public var momentumBuffers: [Tensor] { buffers }
}
