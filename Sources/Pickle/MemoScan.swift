/// How often each memo slot is read back (BINGET / LONG_BINGET) in one pickle. The unpickler's second pass keeps
/// a memoised value only while reads of its slot remain, which is what bounds memory on the NAS-Bench-201 files:
/// nearly every object there is memoised, few are reread, and those only nearby.
public struct MemoReads: Sendable {
    var remaining: [Int: UInt32] = [:]

    public init() {}

    /// Slots read at least once.
    public var slotCount: Int { remaining.count }

    public func reads(of slot: Int) -> Int { Int(remaining[slot] ?? 0) }

    mutating func countRead(_ slot: Int) { remaining[slot, default: 0] &+= 1 }

    /// Records one read; returns true when it was the last one, so the value can be dropped.
    mutating func consumeRead(_ slot: Int) -> Bool {
        guard let n = remaining[slot] else { return false }
        if n > 1 { remaining[slot] = n - 1; return false }
        remaining.removeValue(forKey: slot)
        return true
    }
}

/// The first of two passes over a large pickle: walks the opcodes without building values and counts the reads
/// of every memo slot.
public enum MemoScan {
    /// Scans one pickle, from PROTO to STOP, leaving `reader` just after STOP.
    public static func readSlots(_ reader: ByteReader) throws -> MemoReads {
        var reads = MemoReads()
        while true {
            let at = reader.offset
            let op = try Opcode.decode(try reader.byte("an opcode"), at: at)
            switch op {
            case .stop: return reads
            case .binGet: reads.countRead(Int(try reader.byte("BINGET slot")))
            case .longBinGet: reads.countRead(Int(try reader.uint32("LONG_BINGET slot")))
            default: try skipArgument(of: op, at: at, reader)
            }
        }
    }

    /// Skips the in-line argument of `op`.
    static func skipArgument(of op: Opcode, at offset: Int, _ r: ByteReader) throws {
        switch op {
        case .proto, .binInt1, .binPut, .binGet: try r.skip(1, op.name)
        case .binInt2: try r.skip(2, op.name)
        case .binInt, .longBinPut, .longBinGet: try r.skip(4, op.name)
        case .binFloat, .frame: try r.skip(8, op.name)
        case .long1, .shortBinUnicode, .shortBinString, .shortBinBytes:
            try r.skip(Int(try r.byte("\(op.name) length")), op.name)
        case .long4, .binString:
            let n = Int32(bitPattern: try r.uint32("\(op.name) length"))
            guard n >= 0 else { throw PickleError.malformed("\(op.name) with negative length \(n)", offset: offset) }
            try r.skip(Int(n), op.name)
        case .binUnicode, .binBytes: try r.skip(Int(try r.uint32("\(op.name) length")), op.name)
        case .binUnicode8, .binBytes8:
            let n = try r.uint64("\(op.name) length")
            guard n <= UInt64(Int.max) else { throw PickleError.limitExceeded("\(op.name) length \(n)", offset: offset) }
            try r.skip(Int(n), op.name)
        case .global:
            _ = try r.line(limit: 256, "GLOBAL module")
            _ = try r.line(limit: 256, "GLOBAL name")
        case .stop, .mark, .pop, .popMark, .dup, .none, .newTrue, .newFalse, .emptyList, .append, .appends,
             .emptyDict, .setItem, .setItems, .emptyTuple, .tuple, .tuple1, .tuple2, .tuple3, .emptySet, .addItems,
             .frozenSet, .memoize, .stackGlobal, .reduce, .build, .newObj, .binPersId:
            return
        }
    }
}
