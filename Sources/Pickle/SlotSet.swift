/// A set of memo slot numbers: a bitmap for the dense low range that real pickles use, a hash set beyond it,
/// so a corrupt 32-bit slot number cannot make the bitmap huge.
public struct SlotSet: Sendable {
    private static let denseLimit = 1 << 28 // 32 MiB of bitmap at most
    private var bits: [UInt64] = []
    private var sparse: Set<Int> = []
    public private(set) var count = 0

    public init() {}

    /// Inserts `slot`; returns true when it was not yet present.
    @discardableResult
    public mutating func insert(_ slot: Int) -> Bool {
        if slot < Self.denseLimit {
            let word = slot >> 6, bit = UInt64(1) << UInt64(slot & 63)
            if word >= bits.count { bits.append(contentsOf: repeatElement(0, count: max(word + 1 - bits.count, bits.count))) }
            if bits[word] & bit != 0 { return false }
            bits[word] |= bit
        } else {
            guard sparse.insert(slot).inserted else { return false }
        }
        count += 1
        return true
    }

    public func contains(_ slot: Int) -> Bool {
        if slot < Self.denseLimit {
            let word = slot >> 6
            return word < bits.count && bits[word] & (UInt64(1) << UInt64(slot & 63)) != 0
        }
        return sparse.contains(slot)
    }
}
