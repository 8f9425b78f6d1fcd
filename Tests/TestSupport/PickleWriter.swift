/// Writes the few pickle shapes the python dataset layouts use, opcode by opcode, the way the real files were
/// written: CIFAR batches by Python 2 cPickle (protocol 2, byte-string keys, the array payload a BINSTRING),
/// ImageNet16 batches by Python 3 (protocol 3, text keys, a BINBYTES payload).
public struct PickleWriter {
    public enum Dialect: Sendable { case python2, python3 }
    public enum Value {
        case int(Int)
        case text(String)
        case ints([Int])
        /// A numpy array: dtype code (e.g. "u1"), shape, raw C-order bytes.
        case array(String, [Int], [UInt8])
    }

    let dialect: Dialect
    private(set) var bytes: [UInt8] = []

    /// A whole pickle of a dict, entries in the given order.
    public static func dict(_ entries: [(String, Value)], dialect: Dialect) -> [UInt8] {
        var w = PickleWriter(dialect: dialect)
        w.op(0x80); w.bytes.append(dialect == .python2 ? 2 : 3) // PROTO
        w.op("}"); w.op("(")                                    // EMPTY_DICT, MARK
        for (key, value) in entries {
            w.text(key)
            w.value(value)
        }
        w.op("u"); w.op(".")                                    // SETITEMS, STOP
        return w.bytes
    }

    private mutating func op(_ code: UInt8) { bytes.append(code) }
    private mutating func op(_ code: Character) { bytes.append(code.asciiValue!) }
    private mutating func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { bytes += $0 } }

    private mutating func int(_ v: Int) {
        switch v {
        case 0..<256: op("K"); bytes.append(UInt8(v))                                   // BININT1
        case 256..<65_536: op("M"); withUnsafeBytes(of: UInt16(v).littleEndian) { bytes += $0 } // BININT2
        default: op("J"); withUnsafeBytes(of: Int32(v).littleEndian) { bytes += $0 }   // BININT
        }
    }

    /// A Python `str`: raw bytes in Python 2 (SHORT_BINSTRING / BINSTRING), text in Python 3 (BINUNICODE).
    private mutating func text(_ s: String) {
        let utf8 = Array(s.utf8)
        switch dialect {
        case .python2 where utf8.count < 256: op("U"); bytes.append(UInt8(utf8.count))
        case .python2: op("T"); u32(utf8.count)
        case .python3: op("X"); u32(utf8.count)
        }
        bytes += utf8
    }

    /// Array payload and the `b'b'` argument of `_reconstruct`: BINSTRING in Python 2, BINBYTES in Python 3.
    private mutating func rawBytes(_ b: [UInt8]) {
        op(dialect == .python2 ? "T" : "B"); u32(b.count); bytes += b
    }

    private mutating func global(_ module: String, _ name: String) {
        op("c"); bytes += Array("\(module)\n\(name)\n".utf8)
    }

    private mutating func value(_ v: Value) {
        switch v {
        case let .int(i): int(i)
        case let .text(s): text(s)
        case let .ints(list):
            op("]"); op("(")                          // EMPTY_LIST, MARK
            for i in list { int(i) }
            op("e")                                   // APPENDS
        case let .array(dtype, shape, raw):
            // _reconstruct(ndarray, (0,), b'b'), then BUILD (1, shape, dtype, False, raw).
            global("numpy.core.multiarray", "_reconstruct")
            global("numpy", "ndarray")
            int(0); op(0x85)                          // TUPLE1
            rawBytes([UInt8(ascii: "b")])
            op(0x87); op("R")                         // TUPLE3, REDUCE
            op("("); int(1)
            op("("); for d in shape { int(d) }; op("t")
            global("numpy", "dtype")
            // numpy.dtype(code, align=False, copy=True): ints in Python 2, bools (NEWFALSE, NEWTRUE) in Python 3.
            text(dtype)
            if dialect == .python2 { int(0); int(1) } else { op(0x89); op(0x88) }
            op(0x87); op("R")
            op("("); int(3); text(dtype == "u1" ? "|" : "<")
            op("N"); op("N"); op("N"); int(-1); int(-1); int(0); op("t"); op("b")
            op(0x89)                                  // NEWFALSE (not Fortran order)
            rawBytes(raw)
            op("t"); op("b")                          // TUPLE, BUILD
        }
    }
}
