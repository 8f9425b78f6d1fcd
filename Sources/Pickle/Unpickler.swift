/// Limits that keep a corrupt or hostile pickle from exhausting memory or the call stack.
public struct UnpickleLimits: Sendable {
    /// Deepest container nesting accepted (values are freed recursively, so this bounds recursion too).
    public var maxNesting = 200
    /// Largest single str / bytes payload.
    public var maxPayloadBytes = 1 << 32
    /// Largest LONG4 integer, in bytes.
    public var maxLongBytes = 1 << 12

    public init() {}
}

/// Asks the unpickler to hand the entries of one dict to `handler` as they complete, instead of storing them.
/// The dict is found by its key path from the root object: `[.string("arch2infos")]` streams
/// `root["arch2infos"]` entry by entry, so a 4.7 GB benchmark never has to be held in memory at once.
/// The dict itself stays empty in the result.
public struct StreamRequest {
    public let path: [PickleValue]
    public let handler: (_ key: PickleValue, _ value: PickleValue) throws -> Void
    /// How many entries of a SETITEMS batch are held back before the oldest is handed over: an entry is only
    /// known to be complete once later ones have started, and single-item containers inside it are filled
    /// without a MARK. An entry touched after hand-over is reported as an error, never silently dropped.
    public var lag = 4
    /// Called after each hand-over with the reader's offset in the pickle payload, for progress reports.
    public var progress: ((Int) -> Void)?

    public init(path: [PickleValue], handler: @escaping (_ key: PickleValue, _ value: PickleValue) throws -> Void) {
        self.path = path
        self.handler = handler
    }
}

/// The restricted unpickler: a stack machine over the opcode subset of FORMATS.md that builds `PickleValue`s.
/// Nothing is ever imported or called; the only globals are the roles in `PickleGlobal`.
/// One instance reads one pickle (PROTO ... STOP) from a `ByteReader`, leaving the reader after STOP.
public final class Unpickler {
    private let reader: ByteReader
    private let limits: UnpickleLimits
    /// Reads still to come per memo slot (from `MemoScan`); nil keeps every slot for good.
    // The per-opcode state is touched only by `load` and what it calls on one thread, so it opts out of the
    // run-time exclusivity checks (each one a thread-local lookup, a few percent of unpickling).
    @exclusivity(unchecked) private var pendingReads: MemoReads?
    @exclusivity(unchecked) private var memo: Memo
    @exclusivity(unchecked) private var definedSlots = SlotSet()
    @exclusivity(unchecked) private var stack: [PickleValue] = []
    @exclusivity(unchecked) private var marks: [Int] = []
    /// Lowest stack index the current opcode may pop to (the innermost MARK, or the stream's hand-over point).
    private var floor = 0
    private var opOffset = 0

    private let stream: StreamRequest?
    private var streamLevel = -1     // marks.count while a SETITEMS batch of the streamed dict is open
    private var streamFloor = 0      // entries below this stack index were handed over
    private var streamTrigger = Int.max

    public init(reader: ByteReader, memoReads: MemoReads? = nil, stream: StreamRequest? = nil,
                limits: UnpickleLimits = UnpickleLimits()) {
        self.reader = reader
        pendingReads = memoReads
        memo = Memo(useArray: memoReads == nil)
        self.stream = stream
        self.limits = limits
    }

    /// Reads one pickle and returns its object.
    public func load() throws -> PickleValue {
        while true {
            if stream == nil { try readCommonOpcodes() }
            opOffset = reader.offset
            let op = try Opcode.decode(try reader.byte("an opcode"), at: opOffset)
            switch op {
            case .proto:
                let version = try reader.byte("PROTO version")
                guard (2...5).contains(version) else { throw malformed("protocol \(version) (supported: 2 to 5)") }
            case .frame: _ = try reader.uint64("FRAME length")
            case .stop:
                guard marks.isEmpty, stack.count == 1 else {
                    throw malformed("STOP with \(stack.count) values and \(marks.count) open MARKs on the stack")
                }
                return stack.removeLast()
            case .mark:
                marks.append(stack.count)
                if stream != nil, case let .dict(d)? = stack.last, d.isStreamed {
                    streamLevel = marks.count
                    streamFloor = stack.count
                }
                updateFloor()
            case .pop:
                if stack.count > floor {
                    _ = try pop()
                } else if !marks.isEmpty, stack.count == marks.last! {
                    _ = try popToMark(for: op)
                } else {
                    throw underflow(op)
                }
            case .popMark: _ = try popToMark(for: op)
            case .dup: stack.append(try top(op))
            case .none: stack.append(.none)
            case .newTrue: stack.append(.bool(true))
            case .newFalse: stack.append(.bool(false))
            case .binInt: stack.append(.int(Int(Int32(bitPattern: try reader.uint32("BININT")))))
            case .binInt1: stack.append(.int(Int(try reader.byte("BININT1"))))
            case .binInt2: stack.append(.int(Int(try reader.uint16("BININT2"))))
            case .long1: stack.append(Self.integer(fromLittleEndian: try reader.bytes(Int(try reader.byte("LONG1 length")), "LONG1")))
            case .long4:
                let n = try signedLength(op)
                guard n <= limits.maxLongBytes else { throw limit("LONG4 of \(n) bytes (limit \(limits.maxLongBytes))") }
                stack.append(Self.integer(fromLittleEndian: try reader.bytes(n, "LONG4")))
            case .binFloat:
                stack.append(.float(try reader.withBytes(8, "BINFLOAT") { Double(bitPattern: UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self))) }))
            case .shortBinUnicode: stack.append(.string(try string(Int(try reader.byte("SHORT_BINUNICODE length")))))
            case .binUnicode: stack.append(.string(try string(try payloadLength(Int(try reader.uint32("BINUNICODE length"))))))
            case .binUnicode8: stack.append(.string(try string(try payloadLength(try reader.uint64("BINUNICODE8 length")))))
            case .shortBinString, .shortBinBytes: stack.append(.bytes(try reader.bytes(Int(try reader.byte("\(op.name) length")), op.name)))
            case .binString: stack.append(.bytes(try reader.bytes(try payloadLength(try signedLength(op)), op.name)))
            case .binBytes: stack.append(.bytes(try reader.bytes(try payloadLength(Int(try reader.uint32("BINBYTES length"))), op.name)))
            case .binBytes8: stack.append(.bytes(try reader.bytes(try payloadLength(try reader.uint64("BINBYTES8 length")), op.name)))
            case .emptyList: stack.append(.list(PickleList()))
            case .append:
                let value = try pop()
                try appendItems([value], to: try top(op))
            case .appends:
                let items = try popToMark(for: op)
                try appendItems(items, to: try top(op))
            case .emptyDict: stack.append(.dict(newDict(ordered: false)))
            case .setItem:
                let value = try pop()
                let key = try pop()
                try setItems([key, value], in: try top(op))
            case .setItems:
                let streamed = marks.count == streamLevel
                let items = try popToMark(for: op)
                if streamed {
                    guard items.count % 2 == 0 else { throw malformed("SETITEMS with an odd number of stack items") }
                    for i in stride(from: 0, to: items.count, by: 2) { try stream!.handler(items[i], items[i + 1]) }
                    stream!.progress?(reader.offset)
                } else {
                    try setItems(items, in: try top(op))
                }
            case .emptyTuple: stack.append(.tuple(PickleTuple([])))
            case .tuple: stack.append(try tuple(try popToMark(for: op)))
            case .tuple1: stack.append(try tuple([try pop()]))
            case .tuple2:
                let b = try pop()
                stack.append(try tuple([try pop(), b]))
            case .tuple3:
                let c = try pop()
                let b = try pop()
                stack.append(try tuple([try pop(), b, c]))
            case .emptySet: stack.append(.set(PickleSet()))
            case .addItems:
                let items = try popToMark(for: op)
                guard case let .set(s) = try top(op) else { throw malformed("ADDITEMS on a \(try top(op).typeName)") }
                try insert(items, into: s)
            case .frozenSet:
                let s = PickleSet()
                try insert(try popToMark(for: op), into: s)
                stack.append(.frozenSet(s))
            case .memoize: try put(definedSlots.count, op) // Python: memo[len(memo)]
            case .binPut: try put(Int(try reader.byte("BINPUT slot")), op)
            case .longBinPut: try put(Int(try reader.uint32("LONG_BINPUT slot")), op)
            case .binGet: stack.append(try get(Int(try reader.byte("BINGET slot"))))
            case .longBinGet: stack.append(try get(Int(try reader.uint32("LONG_BINGET slot"))))
            case .global:
                let module = try reader.line(limit: 256, "GLOBAL module name")
                let name = try reader.line(limit: 256, "GLOBAL attribute name")
                stack.append(try global(module: String(decoding: module, as: UTF8.self), name: String(decoding: name, as: UTF8.self)))
            case .stackGlobal:
                let name = try pop()
                let module = try pop()
                guard case let .string(n) = name, case let .string(m) = module else {
                    throw malformed("STACK_GLOBAL needs two strings, found \(module.typeName) and \(name.typeName)")
                }
                stack.append(try global(module: m, name: n))
            case .reduce:
                let args = try pop()
                let callable = try pop()
                stack.append(try call(callable, args, op))
            case .newObj:
                let args = try pop()
                let cls = try pop()
                guard case let .global(g) = cls, [.orderedDict, .set, .frozenSet].contains(g) else {
                    throw malformed("NEWOBJ of \(cls.typeName) (only OrderedDict, set and frozenset can be created)")
                }
                stack.append(try call(cls, args, op))
            case .build:
                let state = try pop()
                try build(try top(op), state: state)
            case .binPersId:
                let id = try pop()
                if case .persistentID = id { throw malformed("a persistent id whose id is itself a persistent id") }
                try checkNesting(id)
                stack.append(.persistentID(id))
            }
            if stack.count >= streamTrigger { try handOverOldestStreamedEntry() }
        }
    }

    /// The opcodes that make up nearly all of a benchmark file (BINFLOAT, BININT1, ASCII SHORT_BINUNICODE, MEMOIZE,
    /// BINGET), read straight from the reader's buffer while whole ones are there. Anything else, or anything these
    /// would have to reject, is left to the general loop, which reads it again and reports it with its offset.
    private func readCommonOpcodes() throws {
        var values: [PickleValue] = []
        swap(&values, &stack) // a local array appends without re-checking the property's exclusivity and uniqueness
        defer { swap(&values, &stack) }
        try reader.withBufferedBytes(minimum: 64) { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            let p = base.assumingMemoryBound(to: UInt8.self), count = bytes.count
            var i = 0
            scan: while count - i >= 10 {
                switch p[i] {
                case Opcode.binFloat.rawValue:
                    values.append(.float(Double(bitPattern: UInt64(bigEndian: UnsafeRawPointer(p + i + 1).loadUnaligned(as: UInt64.self)))))
                    i += 9
                case Opcode.binInt1.rawValue:
                    values.append(.int(Int(p[i + 1])))
                    i += 2
                case Opcode.shortBinUnicode.rawValue:
                    let n = Int(p[i + 1])
                    guard count - i >= 2 + n, let text = Self.asciiText(UnsafeBufferPointer(start: p + i + 2, count: n)) else { break scan }
                    values.append(.string(text))
                    i += 2 + n
                case Opcode.memoize.rawValue:
                    guard values.count > floor, let value = values.last else { break scan }
                    remember(value, in: definedSlots.count)
                    i += 1
                case Opcode.binGet.rawValue:
                    guard let value = recall(Int(p[i + 1])) else { break scan }
                    values.append(value)
                    i += 2
                default:
                    break scan
                }
            }
            return i
        }
    }

    // MARK: - Stack

    private func updateFloor() {
        floor = marks.last ?? 0
        if marks.count == streamLevel {
            floor = max(floor, streamFloor)
            streamTrigger = streamFloor + 2 * (stream!.lag + 1)
        } else {
            streamTrigger = Int.max
        }
    }

    @inline(__always)
    private func pop() throws -> PickleValue {
        guard stack.count > floor else { throw underflow(nil) }
        return stack.removeLast()
    }

    @inline(__always)
    private func top(_ op: Opcode) throws -> PickleValue {
        guard stack.count > floor else { throw underflow(op) }
        return stack[stack.count - 1]
    }

    /// Pops everything above the innermost MARK, and the MARK.
    private func popToMark(for op: Opcode) throws -> [PickleValue] {
        guard let mark = marks.last else { throw malformed("\(op.name) without a MARK") }
        var start = mark
        if marks.count == streamLevel {
            if streamFloor > mark && op != .setItems {
                throw malformed("\(op.name) closes the batch of the streamed dict after entries were handed over")
            }
            start = streamFloor
            streamLevel = -1
        }
        let items = stack.withUnsafeMutableBufferPointer { slots in (start..<slots.count).map { Self.take(slots.baseAddress! + $0) } }
        stack.removeSubrange(mark...)
        marks.removeLast()
        updateFloor()
        return items
    }

    /// Hands the oldest held-back entry of the open SETITEMS batch of the streamed dict to the handler.
    private func handOverOldestStreamedEntry() throws {
        guard marks.count == streamLevel else { return }
        let key = stack[streamFloor], value = stack[streamFloor + 1]
        stack[streamFloor] = .none
        stack[streamFloor + 1] = .none
        streamFloor += 2
        updateFloor()
        try stream!.handler(key, value)
        stream!.progress?(reader.offset)
    }

    // MARK: - Containers

    private func newDict(ordered: Bool) -> PickleDict {
        let d = PickleDict(ordered: ordered)
        if let stream, let path = pathOfNewValue(), path.count <= stream.path.count {
            d.trackedPath = path
            d.isStreamed = path.count == stream.path.count
        }
        return d
    }

    /// The key path of a dict about to be pushed, when it is the value of an entry of a dict on the path to the
    /// streamed one (directly above that dict's MARK, or in a single SETITEM), and still a prefix of that path.
    private func pathOfNewValue() -> [PickleValue]? {
        guard let wanted = stream?.path else { return nil }
        if stack.isEmpty && marks.isEmpty { return [] }
        let base = marks.last ?? 0
        var parentIndex: Int?
        if base > 0, (stack.count - base) % 2 == 1 {
            parentIndex = base - 1
        } else if stack.count - base >= 2 {
            parentIndex = stack.count - 2
        }
        guard let parentIndex, case let .dict(parent) = stack[parentIndex], let prefix = parent.trackedPath,
              prefix.count < wanted.count, stack[stack.count - 1] == wanted[prefix.count] else { return nil }
        return prefix + [stack[stack.count - 1]]
    }

    /// Checks a value may go inside a container: nesting limit, and seals it against later mutation. Returns the
    /// value's height (computed once: containers adopt it).
    @discardableResult
    private func checkNesting(_ child: PickleValue) throws -> Int {
        let height: Int
        switch child { // one switch: nearly every value is a scalar
        case .none, .bool, .int, .bigInt, .float, .string, .bytes, .numpyScalar, .dtype, .global:
            height = 0
        case let .list(c as PickleContainer), let .dict(c as PickleContainer), let .set(c as PickleContainer):
            c.isSealed = true
            height = c.height
        case .tuple, .frozenSet, .ndarray, .persistentID:
            height = child.height
        }
        guard height < limits.maxNesting else { throw limit("containers nested deeper than \(limits.maxNesting)") }
        return height
    }

    private func checkMutable(_ c: PickleContainer, _ what: String) throws {
        guard !c.isSealed else {
            throw malformed("\(what) modified after being placed in another container (recursive or shared-mutation structures are not supported)")
        }
    }

    private func appendItems(_ items: [PickleValue], to target: PickleValue) throws {
        guard case let .list(list) = target else { throw malformed("APPEND(S) on a \(target.typeName), not a list") }
        try checkMutable(list, "list")
        for item in items { list.adopt(height: try checkNesting(item)) }
        list.items.append(contentsOf: items)
    }

    /// SETITEM(S): `items` alternates keys and values.
    private func setItems(_ items: consuming [PickleValue], in target: PickleValue) throws {
        guard case let .dict(dict) = target else { throw malformed("SETITEM(S) on a \(target.typeName), not a dict") }
        guard items.count % 2 == 0 else { throw malformed("SETITEMS with an odd number of stack items") }
        if dict.isStreamed {
            for i in stride(from: 0, to: items.count, by: 2) { try stream!.handler(items[i], items[i + 1]) }
            return
        }
        try checkMutable(dict, "dict")
        dict.reserve(items.count / 2)
        for i in stride(from: 0, to: items.count, by: 2) {
            guard !items[i].isUnhashable else { throw malformed("unhashable dict key of type \(items[i].typeName)") }
            dict.adopt(height: try checkNesting(items[i]))
            dict.adopt(height: try checkNesting(items[i + 1]))
        }
        items.withUnsafeMutableBufferPointer { pairs in
            for i in stride(from: 0, to: pairs.count, by: 2) {
                dict.set(Self.take(pairs.baseAddress! + i), Self.take(pairs.baseAddress! + i + 1))
            }
        }
    }

    /// Moves a value out of an array slot instead of copying it, leaving `.none` there, so that freeing the array
    /// (or removing the slot) releases nothing.
    @inline(__always)
    private static func take(_ slot: UnsafeMutablePointer<PickleValue>) -> PickleValue {
        let value = slot.move()
        slot.initialize(to: .none)
        return value
    }

    private func insert(_ items: [PickleValue], into set: PickleSet) throws {
        try checkMutable(set, "set")
        for item in items {
            guard !item.isUnhashable else { throw malformed("unhashable set element of type \(item.typeName)") }
            set.adopt(height: try checkNesting(item))
            set.insert(item)
        }
    }

    private func tuple(_ items: [PickleValue]) throws -> PickleValue {
        for item in items { try checkNesting(item) }
        return .tuple(PickleTuple(items))
    }

    // MARK: - Memo

    private func put(_ slot: Int, _ op: Opcode) throws {
        remember(try top(op), in: slot)
    }

    @inline(__always)
    private func remember(_ value: PickleValue, in slot: Int) {
        definedSlots.insert(slot)
        if pendingReads.map({ $0.reads(of: slot) > 0 }) ?? true { memo[slot] = value }
    }

    /// Values the memo holds now (for tests of the memory bound).
    var liveMemoEntries: Int { memo.liveCount }

    private func get(_ slot: Int) throws -> PickleValue {
        guard let value = recall(slot) else {
            throw malformed(definedSlots.contains(slot)
                ? "memo slot \(slot) is read more often than the memo scan counted (the two passes disagree)"
                : "memo slot \(slot) is read before it is written")
        }
        return value
    }

    /// The memo's value in `slot`, counted as read; nil where there is none.
    @inline(__always)
    private func recall(_ slot: Int) -> PickleValue? {
        guard let value = memo[slot] else { return nil }
        if pendingReads?.consumeRead(slot) == true { memo[slot] = nil }
        return value
    }

    // MARK: - Globals, REDUCE, BUILD

    private func global(module: String, name: String) throws -> PickleValue {
        guard let g = PickleGlobal.resolve(module: module, name: name) else {
            throw PickleError.unknownGlobal(module: module, name: name, offset: opOffset)
        }
        return .global(g)
    }

    private func call(_ callable: PickleValue, _ argsValue: PickleValue, _ op: Opcode) throws -> PickleValue {
        guard case let .global(g) = callable else { throw malformed("\(op.name) on a \(callable.typeName), which is not callable") }
        guard case let .tuple(t) = argsValue else { throw malformed("\(op.name) arguments for \(g) are a \(argsValue.typeName), not a tuple") }
        let args = t.items
        func bad() -> PickleError { malformed("unexpected arguments for \(g): (\(args.map(\.typeName).joined(separator: ", ")))") }
        switch g {
        case .orderedDict:
            let d = newDict(ordered: true)
            if let pairs = args.first {
                guard args.count == 1, let items = Self.elements(of: pairs) else { throw bad() }
                var flat: [PickleValue] = []
                for pair in items {
                    guard let kv = Self.elements(of: pair), kv.count == 2 else { throw bad() }
                    flat += kv
                }
                try setItems(flat, in: .dict(d))
            }
            return .dict(d)
        case .set, .frozenSet:
            let s = PickleSet()
            if let source = args.first {
                guard args.count == 1, let items = Self.elements(of: source) else { throw bad() }
                try insert(items, into: s)
            }
            return g == .set ? .set(s) : .frozenSet(s)
        case .bytes:
            if args.isEmpty { return .bytes([]) }
            guard args.count == 1, case let .bytes(b) = args[0] else { throw bad() }
            return .bytes(b)
        case .codecsEncode:
            guard args.count == 2, case let .string(text) = args[0], case let .string(encoding) = args[1],
                  ["latin1", "latin-1", "iso-8859-1", "iso8859-1"].contains(encoding.lowercased()) else { throw bad() }
            var out = [UInt8]()
            out.reserveCapacity(text.utf8.count)
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw malformed("_codecs.encode: code point \(scalar.value) is not latin-1") }
                out.append(UInt8(scalar.value))
            }
            return .bytes(out)
        case .numpyDType:
            // Python 2 writes the code as a byte string (BINSTRING) and the flags as ints.
            guard (1...3).contains(args.count), let code = Self.text(args[0]) else { throw bad() }
            guard let dtype = NumpyDType(code: code) else { throw malformed("unsupported numpy dtype '\(code)'") }
            return .dtype(dtype)
        case .numpyScalar:
            guard args.count == 2, case let .dtype(dtype) = args[0], case let .bytes(raw) = args[1] else { throw bad() }
            guard raw.count == dtype.itemSize else {
                throw malformed("numpy scalar of dtype \(dtype.code) with \(raw.count) bytes instead of \(dtype.itemSize)")
            }
            return .numpyScalar(NumpyScalar(dtype: dtype, raw: raw))
        case .numpyReconstruct:
            guard args.count == 3, args[0] == .global(.numpyNDArray) else { throw bad() }
            return .ndarray(NumpyArray())
        case .numpyNDArray, .torchStorage:
            throw malformed("\(g) cannot be called")
        }
    }

    private func build(_ target: PickleValue, state: PickleValue) throws {
        switch target {
        case let .dtype(dtype):
            guard case let .tuple(t) = state, t.items.count >= 2, let order = Self.text(t.items[1]) else {
                throw malformed("numpy dtype state is a \(state.typeName), expected (version, byteorder, ...)")
            }
            dtype.littleEndian = order != ">"
        case let .ndarray(array):
            guard !array.isBuilt else { throw malformed("BUILD on a numpy array that is already built") }
            guard case let .tuple(t) = state, t.items.count == 5, case let .tuple(shapeTuple) = t.items[1],
                  case let .dtype(dtype) = t.items[2], case let .bytes(raw) = t.items[4] else {
                throw malformed("numpy array state is not (version, shape, dtype, is_fortran, raw bytes)")
            }
            var shape = [Int](), count = 1
            for dim in shapeTuple.items {
                guard case let .int(n) = dim, n >= 0 else { throw malformed("numpy array dimension \(dim.typeName)") }
                let (product, overflow) = count.multipliedReportingOverflow(by: n)
                guard !overflow else { throw malformed("numpy array shape overflows") }
                shape.append(n)
                count = product
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
            guard !overflow, bytes == raw.count else {
                throw malformed("numpy array of shape \(shape) and dtype \(dtype.code) with \(raw.count) data bytes")
            }
            array.dtype = dtype
            array.shape = shape
            array.isFortran = t.items[3] == .bool(true) || t.items[3] == .int(1)
            array.raw = raw
            array.isBuilt = true
        case let .dict(dict) where state == .none || (state.isEmptyDict && !dict.isSealed):
            break
        default:
            throw malformed("BUILD on a \(target.typeName) with state \(state.typeName)")
        }
    }

    // MARK: - Scalars

    /// Two's-complement little-endian bytes (LONG1/LONG4) as an Int when they fit, otherwise `.bigInt`.
    static func integer(fromLittleEndian bytes: [UInt8]) -> PickleValue {
        guard let last = bytes.last else { return .int(0) }
        let negative = last & 0x80 != 0
        let fill: UInt8 = negative ? 0xFF : 0
        var significant = bytes.count
        while significant > 1 && bytes[significant - 1] == fill && (bytes[significant - 2] & 0x80 != 0) == negative {
            significant -= 1
        }
        guard significant <= 8 else { return .bigInt(bytes) }
        var value: UInt64 = negative ? ~0 : 0
        for i in 0..<significant {
            value &= ~(UInt64(0xFF) << UInt64(8 * i))
            value |= UInt64(bytes[i]) << UInt64(8 * i)
        }
        return .int(Int(Int64(bitPattern: value)))
    }

    /// ASCII text (every key of the benchmark files) needs no validation; String(validating:) costs a generic
    /// metadata lookup per call, a tenth of unpickling a NATS-Bench file. Nil for anything else.
    @inline(__always)
    static func asciiText(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        bytes.allSatisfy { $0 < 0x80 } ? String(decoding: bytes, as: UTF8.self) : nil
    }

    private func string(_ count: Int) throws -> String {
        let decoded: String?
        if count <= 1 << 16 {
            decoded = try reader.withBytes(count, "a string of \(count) bytes") { raw in
                let bytes = raw.assumingMemoryBound(to: UInt8.self)
                return Self.asciiText(bytes) ?? String(validating: bytes, as: UTF8.self)
            }
        } else {
            decoded = String(validating: try reader.bytes(count, "a string of \(count) bytes"), as: UTF8.self)
        }
        guard let decoded else { throw malformed("string is not valid UTF-8") }
        return decoded
    }

    private func signedLength(_ op: Opcode) throws -> Int {
        let n = Int32(bitPattern: try reader.uint32("\(op.name) length"))
        guard n >= 0 else { throw malformed("\(op.name) with negative length \(n)") }
        return Int(n)
    }

    private func payloadLength<T: BinaryInteger>(_ n: T) throws -> Int {
        guard n <= limits.maxPayloadBytes else { throw limit("a payload of \(n) bytes (limit \(limits.maxPayloadBytes))") }
        return Int(n)
    }

    // MARK: - Errors

    private func malformed(_ what: String) -> PickleError { .malformed(what, offset: opOffset) }
    private func limit(_ what: String) -> PickleError { .limitExceeded(what, offset: opOffset) }
    private func underflow(_ op: Opcode?) -> PickleError {
        malformed("stack underflow\(op.map { " in \($0.name)" } ?? "") (or an opcode reached below its MARK, or into a streamed entry already handed over)")
    }

    /// A str, or a Python 2 byte string read as UTF-8.
    private static func text(_ value: PickleValue) -> String? {
        switch value {
        case let .string(s): s
        case let .bytes(b): String(validating: b, as: UTF8.self)
        default: nil
        }
    }

    private static func elements(of value: PickleValue) -> [PickleValue]? {
        switch value {
        case let .list(l): l.items
        case let .tuple(t): t.items
        case let .set(s), let .frozenSet(s): s.items
        default: nil
        }
    }
}

extension PickleValue {
    var isEmptyDict: Bool { if case let .dict(d) = self { d.count == 0 } else { false } }
}
