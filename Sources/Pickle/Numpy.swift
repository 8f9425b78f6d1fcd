/// A numpy dtype as pickled: `numpy.dtype('f8', False, True)` then BUILD with `(3, '<', ...)` for the byte order.
/// A class because pickles memoise the dtype before BUILD sets its byte order.
public final class NumpyDType: Hashable, @unchecked Sendable {
    /// 'f' float, 'i' signed, 'u' unsigned, 'b' bool, others kept but not convertible.
    public let kind: Character
    public let itemSize: Int
    public internal(set) var littleEndian = true

    /// Parses a type code such as "f8", "<i4", "u1", "b1"; nil when it is not a fixed-size numeric code.
    init?(code: String) {
        var chars = Substring(code)
        if let first = chars.first, "<>|=".contains(first) {
            littleEndian = first != ">"
            chars = chars.dropFirst()
        }
        guard let kind = chars.first, let size = Int(chars.dropFirst()), (1...16).contains(size) else { return nil }
        self.kind = kind
        itemSize = size
    }

    public var code: String { "\(littleEndian ? "<" : ">")\(kind)\(itemSize)" }

    public static func == (a: NumpyDType, b: NumpyDType) -> Bool {
        a.kind == b.kind && a.itemSize == b.itemSize && a.littleEndian == b.littleEndian
    }
    public func hash(into h: inout Hasher) { h.combine(kind); h.combine(itemSize) }

    /// Decodes one element of this dtype from raw bytes as a Double (ints and bools too); nil for other kinds.
    func double(from raw: UnsafeRawBufferPointer) -> Double? {
        func load<T: FixedWidthInteger>(_: T.Type) -> T {
            let v = raw.loadUnaligned(as: T.self)
            return littleEndian ? T(littleEndian: v) : T(bigEndian: v)
        }
        switch (kind, itemSize) {
        case ("f", 8): return Double(bitPattern: load(UInt64.self))
        case ("f", 4): return Double(Float(bitPattern: load(UInt32.self)))
        case ("i", 1): return Double(load(Int8.self))
        case ("i", 2): return Double(load(Int16.self))
        case ("i", 4): return Double(load(Int32.self))
        case ("i", 8): return Double(load(Int64.self))
        case ("u", 1), ("b", 1): return Double(load(UInt8.self))
        case ("u", 2): return Double(load(UInt16.self))
        case ("u", 4): return Double(load(UInt32.self))
        case ("u", 8): return Double(load(UInt64.self))
        default: return nil
        }
    }
}

/// A numpy scalar such as numpy.float64: its dtype and its raw bytes.
public struct NumpyScalar: Hashable, Sendable {
    public let dtype: NumpyDType
    public let raw: [UInt8]

    public var doubleValue: Double? { raw.withUnsafeBytes { dtype.double(from: $0) } }

    /// The integer value of an integer or bool scalar.
    public var intValue: Int? {
        guard "iub".contains(dtype.kind), let d = doubleValue, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }
}

/// A numpy array: dtype, shape and the raw element bytes (C order unless `isFortran`).
/// A class because `_reconstruct` creates it empty and a later BUILD fills it, possibly after memoisation.
public final class NumpyArray: Hashable, @unchecked Sendable {
    public internal(set) var dtype: NumpyDType?
    public internal(set) var shape: [Int] = []
    public internal(set) var isFortran = false
    public internal(set) var raw: [UInt8] = []
    var isBuilt = false
    var height: Int { 1 }

    public var count: Int { shape.reduce(1, *) }

    /// Every element as a Double, in storage order; nil for non-numeric dtypes.
    public func doubles() -> [Double]? {
        guard let dtype, isBuilt else { return nil }
        var out = [Double]()
        out.reserveCapacity(count)
        return raw.withUnsafeBytes { buf -> [Double]? in
            for i in 0..<count {
                guard let d = dtype.double(from: UnsafeRawBufferPointer(rebasing: buf[(i * dtype.itemSize)...])) else { return nil }
                out.append(d)
            }
            return out
        }
    }

    public static func == (a: NumpyArray, b: NumpyArray) -> Bool {
        a === b || (a.dtype == b.dtype && a.shape == b.shape && a.raw == b.raw)
    }
    public func hash(into h: inout Hasher) { h.combine(shape) }
}
