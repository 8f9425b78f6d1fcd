import Support
import Testing
@testable import Engine

/// Finite-difference check of a layer's backward. The scalar loss is L = sum(output * probe) for a fixed
/// random probe, so dL/doutput = probe. Each checked coordinate is nudged by +-step and the central
/// difference (loss summed in Double) is compared with the analytic gradient.
struct GradientCheck {
    var rng = SeededRandom(seed: 99)

    /// Random values away from 0 (|x| >= 0.1), so ReLU kinks and BN degeneracies stay out of the +-step range.
    mutating func tensor(_ shape: [Int], scale: Float = 1) -> Tensor {
        let t = Tensor(shape: shape)
        for i in 0..<t.count {
            var v = rng.nextGaussian()
            if abs(v) < 0.1 { v = v < 0 ? v - 0.1 : v + 0.1 }
            t[i] = v * scale
        }
        return t
    }

    static func loss(_ out: Tensor, _ probe: Tensor) -> Double {
        var s = 0.0
        for i in 0..<out.count { s += Double(out[i]) * Double(probe[i]) }
        return s
    }

    /// Compares `analytic` (dL/dx for every element of `x`) against central differences of `forward`.
    /// Returns the worst violation of |num - ana| <= atol + rtol * |ana| as a ratio (<= 1 passes).
    mutating func worstRatio(of x: Tensor, analytic: [Float], step: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 1e-2,
                             maxCoordinates: Int = 48, forward: () -> Double) -> Double {
        let coords = x.count <= maxCoordinates ? Array(0..<x.count) : rng.sample(maxCoordinates, from: x.count)
        var worst = 0.0
        for i in coords {
            let saved = x[i]
            x[i] = saved + step; let up = forward()
            x[i] = saved - step; let down = forward()
            x[i] = saved
            let numeric = (up - down) / (2 * Double(step))
            let a = Double(analytic[i])
            worst = max(worst, abs(numeric - a) / (atol + rtol * abs(a)))
        }
        return worst
    }
}
