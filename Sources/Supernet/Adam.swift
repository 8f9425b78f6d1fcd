import Engine

/// Adam (Kingma & Ba) with PyTorch's torch.optim.Adam semantics (bias-corrected moments, eps outside the
/// square root, L2 weight decay added to the gradient): the simplex-net's optimiser.
public final class Adam {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// Steps taken so far (the bias corrections depend on it; checkpointed).
    public internal(set) var steps = 0
    /// First and second moment estimates, in parameter order (checkpointed).
    public let firstMoments: [Tensor], secondMoments: [Tensor]

    public init(parameters: [Parameter], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
        firstMoments = parameters.map { Tensor(shape: $0.value.shape) }
        secondMoments = parameters.map { Tensor(shape: $0.value.shape) }
    }

    public func step() {
        steps += 1
        let c1 = 1 - pow(beta1, Float(steps)), c2 = 1 - pow(beta2, Float(steps))
        for (p, (m, v)) in zip(parameters, zip(firstMoments, secondMoments)) {
            let w = p.value.data, g = p.grad.data
            for i in 0..<p.count {
                let d = g[i] + weightDecay * w[i]
                m[i] = beta1 * m[i] + (1 - beta1) * d
                v[i] = beta2 * v[i] + (1 - beta2) * d * d
                w[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
            }
        }
    }

    public func zeroGradients() {
        for p in parameters { p.grad.zero() }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
