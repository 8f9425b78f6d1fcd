import Foundation

/// The values a restricted pickle can hold. Mutable Python containers (list, dict, set) are reference types,
/// as in Python, because pickles fill them after memoising them; everything else is a plain value.
public enum PickleValue: Hashable, @unchecked Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits: little-endian two's complement bytes, as LONG1/LONG4 store it.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    /// Python 3 bytes, or a Python 2 `str` (BINSTRING), which is raw bytes.
    case bytes([UInt8])
    case list(PickleList)
    case tuple(PickleTuple)
    case dict(PickleDict)
    case set(PickleSet)
    case frozenSet(PickleSet)
    case numpyScalar(NumpyScalar)
    case ndarray(NumpyArray)
    case dtype(NumpyDType)
    /// A persistent id (torch storages), kept as data and never resolved.
    indirect case persistentID(PickleValue)
    /// An allowed global, only meaningful as the callable of REDUCE / NEWOBJ.
    case global(PickleGlobal)

    /// The nesting height: 0 for scalars, 1 + the deepest child for containers. Bounded by the unpickler.
    var height: Int {
        switch self {
        case let .list(l): l.height
        case let .tuple(t): t.height
        case let .dict(d): d.height
        case let .set(s), let .frozenSet(s): s.height
        case let .ndarray(a): a.height
        case let .persistentID(inner): 1 + inner.height
        default: 0
        }
    }

    /// Python's type name, for error messages.
    public var typeName: String {
        switch self {
        case .none: "None"; case .bool: "bool"; case .int, .bigInt: "int"; case .float: "float"; case .string: "str"
        case .bytes: "bytes"; case .list: "list"; case .tuple: "tuple"; case let .dict(d): d.isOrdered ? "OrderedDict" : "dict"
        case .set: "set"; case .frozenSet: "frozenset"; case .numpyScalar: "numpy scalar"; case .ndarray: "numpy.ndarray"
        case .dtype: "numpy.dtype"; case .persistentID: "persistent id"; case let .global(g): "global \(g)"
        }
    }

    var isUnhashable: Bool {
        switch self {
        case .list, .dict, .set, .ndarray: true
        default: false
        }
    }
}

/// A tuple: immutable, with its nesting height stored so deep nesting is caught without recursion.
public struct PickleTuple: Hashable, Sendable {
    public let items: [PickleValue]
    let height: Int

    init(_ items: [PickleValue]) {
        self.items = items
        height = 1 + (items.lazy.map(\.height).max() ?? 0)
    }

    public static func == (a: PickleTuple, b: PickleTuple) -> Bool { a.items == b.items }
    public func hash(into h: inout Hasher) { h.combine(items) }
}

/// State shared by the mutable containers: the nesting height, and whether the container has been placed inside
/// another one, after which it may no longer change (this rules out cycles and keeps `height` exact).
public class PickleContainer: @unchecked Sendable {
    var height = 1
    var isSealed = false

    public init() {}

    func adopt(height childHeight: Int) {
        height = max(height, childHeight + 1)
    }
}

public final class PickleList: PickleContainer, Hashable, @unchecked Sendable {
    public internal(set) var items: [PickleValue] = []

    public static func == (a: PickleList, b: PickleList) -> Bool { a === b || a.items == b.items }
    public func hash(into h: inout Hasher) { h.combine(items) }
}

/// A dict or OrderedDict; entries keep insertion order (as Python dicts do). Small dicts are searched linearly,
/// larger ones get an open-addressing index of positions. Keys compare as Python compares them: text by its code
/// points (Swift's `==` would also merge canonically equivalent spellings), everything else by `==`.
public final class PickleDict: PickleContainer, Hashable, @unchecked Sendable {
    @exclusivity(unchecked) public private(set) var keys: [PickleValue] = []
    @exclusivity(unchecked) public private(set) var values: [PickleValue] = []
    public internal(set) var isOrdered: Bool
    /// Key hashes by position, and the index: a power-of-two table of position + 1 (0: empty), at most half full.
    @exclusivity(unchecked) private var hashes: [UInt64] = []
    @exclusivity(unchecked) private var table: [Int32] = []
    private static let linearLimit = 8
    /// The key path from the root when this dict lies on the path to a streamed dict (see `StreamRequest`).
    var trackedPath: [PickleValue]?
    /// True for the dict whose entries go to a `StreamRequest` handler instead of into the dict.
    var isStreamed = false

    public init(ordered: Bool) { isOrdered = ordered }

    public var count: Int { keys.count }

    public subscript(key: PickleValue) -> PickleValue? {
        let hash = keys.count > Self.linearLimit ? hash(key) : 0
        return position(of: key, hash: hash).map { values[$0] }
    }

    /// Lookup by a text key; Python 2 pickles store such keys as byte strings, which match too.
    public subscript(key: String) -> PickleValue? {
        self[.string(key)] ?? self[.bytes(Array(key.utf8))]
    }

    func reserve(_ extra: Int) {
        keys.reserveCapacity(keys.count + extra)
        values.reserveCapacity(values.count + extra)
        expected = keys.count + extra
        if expected > Self.linearLimit { hashes.reserveCapacity(expected) }
    }

    func set(_ key: consuming PickleValue, _ value: consuming PickleValue) {
        if keys.count < Self.linearLimit {
            if let i = position(of: key, hash: 0) {
                values[i] = value
                return
            }
            keys.append(key)
            values.append(value)
            return
        }
        if table.isEmpty { // the dict outgrows linear search with this entry (or a repeated key)
            hashes.removeAll(keepingCapacity: true)
            for k in keys { hashes.append(hash(k)) }
        }
        let hash = hash(key)
        if let i = position(of: key, hash: hash) {
            values[i] = value
            return
        }
        keys.append(key)
        values.append(value)
        hashes.append(hash)
        if 2 * keys.count > table.count {
            rebuildTable()
        } else {
            place(keys.count - 1)
        }
    }

    private func position(of key: PickleValue, hash: UInt64) -> Int? {
        guard !table.isEmpty else {
            for (i, k) in keys.enumerated() where Self.sameKey(k, key) { return i }
            return nil
        }
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(table[slot])
            if entry == 0 { return nil }
            if hashes[entry - 1] == hash, Self.sameKey(keys[entry - 1], key) { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    private func place(_ position: Int) {
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hashes[position]) & mask
        while table[slot] != 0 { slot = (slot + 1) & mask }
        table[slot] = Int32(position + 1)
    }

    private func rebuildTable() {
        var capacity = 32
        while capacity < 4 * keys.count || capacity < 2 * expected { capacity *= 2 }
        table = [Int32](repeating: 0, count: capacity)
        for position in keys.indices { place(position) }
    }

    /// A per-process seed, so that no file can be built to make every key collide (copied into each dict: reading a
    /// static costs a call per key).
    private static let processSeed = UInt64(truncatingIfNeeded: Int.random(in: .min ... .max)) | 1
    private let seed = PickleDict.processSeed
    /// Entries announced by `reserve`, to size the index once.
    private var expected = 0

    /// Agrees with `sameKey`: text hashes its UTF-8 bytes, integers their value, other keys their `hashValue`.
    func hash(_ key: PickleValue) -> UInt64 {
        var h: UInt64
        switch key {
        case var .string(text):
            h = text.withUTF8 { bytes in
                var h = seed ^ UInt64(bytes.count)
                guard let base = bytes.baseAddress else { return h }
                var i = 0
                while i + 8 <= bytes.count {
                    h = (h ^ UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                    h ^= h >> 29
                    i += 8
                }
                var tail: UInt64 = 0
                while i < bytes.count {
                    tail = tail << 8 | UInt64(base[i])
                    i += 1
                }
                return h ^ tail
            }
        case let .int(value): h = seed ^ UInt64(bitPattern: Int64(value))
        default: h = seed ^ UInt64(bitPattern: Int64(key.hashValue))
        }
        h = (h ^ (h >> 32)) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 29)
    }

    static func sameKey(_ a: PickleValue, _ b: PickleValue) -> Bool {
        if case var .string(x) = a {
            guard case var .string(y) = b else { return false }
            return x.withUTF8 { p in y.withUTF8 { q in p.count == q.count && (p.isEmpty || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) } }
        }
        return a == b
    }

    public var entries: Zip2Sequence<[PickleValue], [PickleValue]> { zip(keys, values) }

    public static func == (a: PickleDict, b: PickleDict) -> Bool {
        a === b || (a.keys == b.keys && a.values == b.values)
    }
    public func hash(into h: inout Hasher) { h.combine(keys) }
}

/// A set or frozenset, in insertion order.
public final class PickleSet: PickleContainer, Hashable, @unchecked Sendable {
    public internal(set) var items: [PickleValue] = []
    private var members: Set<PickleValue> = []

    func insert(_ v: PickleValue) {
        if members.insert(v).inserted { items.append(v) }
    }

    public static func == (a: PickleSet, b: PickleSet) -> Bool { a === b || a.members == b.members }
    public func hash(into h: inout Hasher) { h.combine(items.count) }
}

/// The globals the restricted unpickler allows, by role.
public enum PickleGlobal: Hashable, Sendable, CustomStringConvertible {
    case orderedDict, set, frozenSet, bytes, codecsEncode
    case numpyScalar, numpyDType, numpyReconstruct, numpyNDArray
    /// A torch storage class such as torch.FloatStorage, only used inside persistent ids.
    case torchStorage(String)

    /// Maps a (module, name) pair to its role; nil for anything else.
    static func resolve(module: String, name: String) -> PickleGlobal? {
        switch (module, name) {
        case ("collections", "OrderedDict"): .orderedDict
        case ("builtins", "set"), ("__builtin__", "set"): .set
        case ("builtins", "frozenset"), ("__builtin__", "frozenset"): .frozenSet
        case ("builtins", "bytes"), ("__builtin__", "bytes"): .bytes
        case ("_codecs", "encode"): .codecsEncode
        case ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"): .numpyScalar
        case ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"): .numpyReconstruct
        case ("numpy", "dtype"): .numpyDType
        case ("numpy", "ndarray"): .numpyNDArray
        case ("torch", _) where name.hasSuffix("Storage") && name.count < 40: .torchStorage(name)
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"; case .set: "builtins.set"; case .frozenSet: "builtins.frozenset"
        case .bytes: "builtins.bytes"; case .codecsEncode: "_codecs.encode"; case .numpyScalar: "numpy.core.multiarray.scalar"
        case .numpyDType: "numpy.dtype"; case .numpyReconstruct: "numpy.core.multiarray._reconstruct"
        case .numpyNDArray: "numpy.ndarray"; case let .torchStorage(name): "torch.\(name)"
        }
    }
}
