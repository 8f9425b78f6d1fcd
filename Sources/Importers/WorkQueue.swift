import Foundation

/// A bounded first-in first-out queue between producer threads and one consumer; `finish` ends the stream.
/// Bounding it bounds memory: a fast parser waits for the writer instead of piling up records.
final class WorkQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var openProducers: Int
    private let capacity: Int

    init(capacity: Int, producers: Int) {
        self.capacity = capacity
        openProducers = producers
    }

    func push(_ item: Element) {
        condition.lock()
        while items.count - head >= capacity { condition.wait() }
        items.append(item)
        if items.count - head == 1 { condition.broadcast() } // only an empty queue has a consumer waiting
        condition.unlock()
    }

    /// Called once by each producer when it has nothing more.
    func finish() {
        condition.lock()
        openProducers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, or nil once every producer has finished and the queue is drained.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count {
            if openProducers == 0 { return nil }
            condition.wait()
        }
        let item = items[head]
        let wasFull = items.count - head >= capacity // only then can a producer be waiting
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        if wasFull { condition.broadcast() }
        return item
    }
}

/// Runs `body` on a new thread.
func startThread(_ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.stackSize = 8 << 20
    thread.start()
}
