/// Cosine annealing, PyTorch's CosineAnnealingLR in closed form:
/// lr(t) = minimum + (base - minimum) * (1 + cos(pi * t / total)) / 2, for t in 0...total.
/// The unit of t is the caller's: pass iterations (total = epochs * iterations per epoch) to anneal
/// per iteration as NAS-Bench-201's training did, or epochs to step once per epoch as
/// `scheduler.step()` after each epoch does in PyTorch. PyTorch's recursive form equals this up to rounding.
public struct CosineSchedule: Sendable, Hashable {
    public let base: Float
    public let minimum: Float
    public let total: Int

    public init(base: Float, minimum: Float = 0, total: Int) {
        precondition(total > 0, "a cosine schedule needs a positive length, got \(total)")
        self.base = base; self.minimum = minimum; self.total = total
    }

    public func learningRate(at t: Int) -> Float {
        let progress = Double(min(max(t, 0), total)) / Double(total)
        return minimum + (base - minimum) * Float((1 + _cosd(Double.pi * progress)) / 2)
    }
}
