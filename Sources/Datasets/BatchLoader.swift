import Dispatch

/// An endless stream of a plan's batches across epochs, starting at any position: a trainer checkpoints
/// `position` and resumes with `BatchLoader(plan:, startingAt:)`, getting exactly the batches it would have
/// had. With `prefetch`, the batch after the one returned is built on a background thread while the caller
/// trains. That only pays where a core sits idle during the step; on the shared 2-core machine it did not
/// (benchmarks/results/datasets.md: a batch costs ~1 ms against a 130-250 ms step at 1-2k images/s),
/// hence off by default.
/// Not for concurrent use: one consumer calls `next()`.
public final class BatchLoader: @unchecked Sendable {
    public let plan: BatchPlan
    /// The position of the batch the next call to `next()` returns.
    public private(set) var position: BatchPosition
    private let prefetch: Bool
    private var epochOrder: (epoch: Int, order: [Int])?
    private var pending: (position: BatchPosition, slot: Slot)?

    /// A batch under construction on the background thread; `ready` is signalled once `batch` is set.
    private final class Slot: @unchecked Sendable {
        var batch: Batch?
        let ready = DispatchSemaphore(value: 0)
    }

    public init(plan: BatchPlan, startingAt position: BatchPosition = .start, prefetch: Bool = false) {
        precondition(plan.batchesPerEpoch > 0, "the plan yields no batch")
        precondition(position.batch >= 0 && position.batch < plan.batchesPerEpoch && position.epoch >= 0)
        self.plan = plan
        self.position = position
        self.prefetch = prefetch
    }

    public func next() -> Batch {
        let current = position
        let batch: Batch
        if let (at, slot) = pending, at == current {
            slot.ready.wait()
            batch = slot.batch!
        } else {
            batch = plan.batch(current, order: order(epoch: current.epoch))
        }
        pending = nil
        position = current.batch + 1 < plan.batchesPerEpoch
            ? BatchPosition(epoch: current.epoch, batch: current.batch + 1)
            : BatchPosition(epoch: current.epoch + 1, batch: 0)
        if prefetch { startBuilding(position) }
        return batch
    }

    private func startBuilding(_ target: BatchPosition) {
        let slot = Slot(), plan = plan, order = order(epoch: target.epoch)
        pending = (target, slot)
        DispatchQueue.global(qos: .userInitiated).async {
            slot.batch = plan.batch(target, order: order)
            slot.ready.signal()
        }
    }

    private func order(epoch: Int) -> [Int] {
        if let cached = epochOrder, cached.epoch == epoch { return cached.order }
        let order = plan.order(epoch: epoch)
        epochOrder = (epoch, order)
        return order
    }
}
