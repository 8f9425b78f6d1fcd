import Testing
@testable import Pickle

@Suite struct UnpicklerTests {
    @Test func resultsCountDecodesInBothProtocols() throws {
        for bytes in [PickleFixtures.resultsCountP2, PickleFixtures.resultsCountP4] {
            let r = try TestSupport.load(bytes)
            #expect(r["seed"] == .string("0777"))
            #expect(r["params"]?.double == 0.129306)
            #expect(r["flop"] == .float(15.64737))
            guard case let .list(latency)? = r["latency"] else { Issue.record("latency is not a list"); continue }
            #expect(latency.items.first?.double == 0.0139359758611311)
            guard case let .dict(times)? = r["train_times"] else { Issue.record("train_times"); continue }
            #expect(times.isOrdered && times.keys == [.int(0), .int(1)])
            #expect(r["eval_acc1es"]?["ori-test@1"] == .float(36.91))
            #expect(r["arch_config"]?["channel"] == .int(16))
            #expect(r["all_results"]?[.tuple(PickleTuple([.string("cifar10"), .int(777)]))] == PickleValue.none)
            #expect(r["train_acc5es"] == PickleValue.none)
        }
    }

    @Test func scalarsAndBuiltinContainers() throws {
        guard case let .list(l) = try TestSupport.load(PickleFixtures.scalarsP2) else { Issue.record("not a list"); return }
        let v = l.items
        #expect(Array(v[0...8]) == [.bool(true), .bool(false), .none, .int(-1), .int(255), .int(65535), .int(-(1 << 31)), .int(1 << 40), .int(Int.min)])
        // 2**64 + 7 and -(2**70) do not fit 64 bits: kept as two's-complement bytes.
        #expect(v[9] == .bigInt([7, 0, 0, 0, 0, 0, 0, 0, 1]))
        #expect(v[10] == .bigInt([0, 0, 0, 0, 0, 0, 0, 0, 0xC0]))
        #expect(v[11] == .float(1.5))
        #expect(v[12] == .string("héllo ☃"))
        #expect(v[13] == .bytes([0, 0xFF, 0x80])) // protocol 2: _codecs.encode(str, 'latin1')
        #expect(v[14] == .tuple(PickleTuple([.int(1)])))
        #expect(v[15] == .tuple(PickleTuple([.int(1), .int(2), .int(3), .int(4)])))
        guard case let .set(s) = v[16], case let .frozenSet(f) = v[17] else { Issue.record("set types"); return }
        #expect(Set(s.items) == [.int(1), .int(3)])
        #expect(f.items == [.string("a")])

        guard case let .list(l3) = try TestSupport.load(PickleFixtures.scalarsP3) else { Issue.record("not a list"); return }
        #expect(l3.items[0] == .bytes(Array("raw".utf8)))
        #expect(l3.items[1] == .bytes([UInt8](repeating: 0, count: 300)))
        #expect(l3.items[2] == .string(String(repeating: "x", count: 300)))
    }

    @Test func numpyScalarsAndArrays() throws {
        guard case let .list(l) = try TestSupport.load(PickleFixtures.numpyP2) else { Issue.record("not a list"); return }
        let v = l.items
        guard case let .numpyScalar(i64) = v[0], case let .numpyScalar(f32) = v[1], case let .numpyScalar(u8) = v[2],
              case let .numpyScalar(b) = v[3] else { Issue.record("scalars"); return }
        #expect(i64.intValue == -5 && i64.dtype.kind == "i" && i64.dtype.itemSize == 8)
        #expect(f32.doubleValue == 0.25)
        #expect(u8.intValue == 200)
        #expect(b.intValue == 1)
        guard case let .ndarray(a) = v[4], case let .ndarray(big) = v[5] else { Issue.record("arrays"); return }
        #expect(a.shape == [2, 2] && a.doubles() == [1.5, -2.0, 3.25, 4.0])
        #expect(big.dtype?.littleEndian == false && big.doubles() == [1, 2, 3])

        guard case let .list(l4) = try TestSupport.load(PickleFixtures.numpyP4) else { Issue.record("not a list"); return }
        #expect(l4.items[0].double == 2.5)
        guard case let .ndarray(s) = l4.items[1] else { Issue.record("array"); return }
        #expect(s.doubles() == [7, 8])
    }

    @Test func sharedReferencesComeFromTheMemo() throws {
        let v = try TestSupport.load(PickleFixtures.sharedP2)
        guard case let .list(a)? = v["a"], case let .list(b)? = v["b"] else { Issue.record("lists"); return }
        #expect(a === b && a.items == [.int(1), .int(2)])
    }

    @Test func memoScanKeepsValuesOnlyWhileReadsRemainAndGivesTheSameValue() throws {
        for bytes in [PickleFixtures.resultsCountP2, PickleFixtures.numpyP2, PickleFixtures.sharedP2] {
            let slots = try MemoScan.readSlots(ByteReader(MemoryByteSource(bytes)))
            #expect(try TestSupport.load(bytes, memoReads: slots) == TestSupport.load(bytes))
            // Once every read is done, nothing is left in the memo.
            let unpickler = Unpickler(reader: ByteReader(MemoryByteSource(bytes)), memoReads: slots)
            _ = try unpickler.load()
            #expect(unpickler.liveMemoEntries == 0)
        }
        // Dropping a slot that is read must be reported, not misread.
        #expect(throws: PickleError.self) { try TestSupport.load(PickleFixtures.sharedP2, memoReads: MemoReads()) }
    }

    @Test func unknownGlobalIsNamedWithItsOffset() {
        // GLOBAL 'os system' at byte 2.
        let bytes: [UInt8] = [0x80, 0x02, 0x63] + Array("os\nsystem\n".utf8) + [0x2E]
        #expect(throws: PickleError.unknownGlobal(module: "os", name: "system", offset: 2)) { try TestSupport.load(bytes) }
        let stackGlobal: [UInt8] = [0x80, 0x04, 0x8C, 0x08] + Array("builtins".utf8) + [0x8C, 0x04] + Array("eval".utf8) + [0x93, 0x2E]
        #expect(throws: PickleError.unknownGlobal(module: "builtins", name: "eval", offset: 18)) { try TestSupport.load(stackGlobal) }
    }

    @Test func malformedInputsAreErrors() {
        let cases: [(String, [UInt8])] = [
            ("unknown opcode", [0x80, 0x02, 0xFF, 0x2E]),
            ("protocol 0 opcode", [0x80, 0x02, 0x49, 0x31, 0x0A, 0x2E]),
            ("stack underflow", [0x80, 0x02, 0x61, 0x2E]),
            ("memo miss", [0x80, 0x02, 0x68, 0x05, 0x2E]),
            ("truncated", [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x41]),
            ("huge BINUNICODE8", [0x80, 0x04, 0x8D] + [UInt8](repeating: 0xFF, count: 8) + [0x2E]),
            ("negative BINSTRING", [0x80, 0x02, 0x54, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E]),
            ("protocol 6", [0x80, 0x06, 0x4E, 0x2E]),
            ("empty", []),
            ("two values at STOP", [0x80, 0x02, 0x4E, 0x4E, 0x2E]),
            ("REDUCE on a non-callable", [0x80, 0x02, 0x4E, 0x29, 0x52, 0x2E]),
            ("list as dict key", [0x80, 0x02, 0x7D, 0x5D, 0x4E, 0x73, 0x2E]),
            ("self-containing list", [0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x68, 0x00, 0x4E, 0x61, 0x2E]),
            ("invalid UTF-8", [0x80, 0x02, 0x8C, 0x01, 0xFF, 0x2E]),
        ]
        for (name, bytes) in cases {
            #expect(throws: PickleError.self, "\(name)") { try TestSupport.load(bytes) }
        }
    }

    @Test func deepNestingIsRefusedWithoutRecursion() {
        // 100,000 nested one-element tuples: EMPTY_TUPLE, then TUPLE1 repeated.
        let tuples: [UInt8] = [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 100_000) + [0x2E]
        #expect(throws: PickleError.self) { try TestSupport.load(tuples) }
        // A chain of lists built through the memo: L0 = [L1], L1 = [L2], ... with a constant-size stack.
        var chain: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00]
        for _ in 0..<50_000 { chain += [0x68, 0x00, 0x5D, 0x71, 0x00, 0x61, 0x30] }
        #expect(throws: PickleError.self) { try TestSupport.load(chain + [0x2E]) }
        // Within the limit it loads.
        var limits = UnpickleLimits()
        limits.maxNesting = 1000
        #expect((try? TestSupport.load([0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 500) + [0x2E], limits: limits)) != nil)
    }

    @Test func torchPersistentIdIsKeptAsData() throws {
        // (BINPERSID of ('storage', torch.FloatStorage, '0', 'cpu', 4)) as torch writes it.
        var bytes: [UInt8] = [0x80, 0x02, 0x28, 0x58, 0x07, 0, 0, 0] + Array("storage".utf8)
        bytes += [0x63] + Array("torch\nFloatStorage\n".utf8) + [0x58, 0x01, 0, 0, 0, 0x30, 0x58, 0x03, 0, 0, 0] + Array("cpu".utf8)
        bytes += [0x4B, 0x04, 0x74, 0x51, 0x2E]
        guard case let .persistentID(.tuple(t)) = try TestSupport.load(bytes) else { Issue.record("no persistent id"); return }
        #expect(t.items[1] == .global(.torchStorage("FloatStorage")) && t.items[4] == .int(4))
    }

    @Test func streamingHandsOverEntriesAndMatchesTheWholeObject() throws {
        // {'meta': 1, 'arch2infos': {i: {'less': [i], 'full': {'x': i}} for i in 0..<2500}} written like pickle protocol 2:
        // batches of 1000 SETITEMS, single-item dicts via SETITEM.
        var b: [UInt8] = [0x80, 0x02, 0x7D, 0x28, 0x58, 4, 0, 0, 0] + Array("meta".utf8) + [0x4B, 1]
        b += [0x58, 10, 0, 0, 0] + Array("arch2infos".utf8) + [0x7D]
        for batch in stride(from: 0, to: 2500, by: 1000) {
            b.append(0x28)
            for i in batch..<min(batch + 1000, 2500) {
                b += [0x4D, UInt8(i & 0xFF), UInt8(i >> 8), 0x7D, 0x28]
                b += [0x58, 4, 0, 0, 0] + Array("less".utf8) + [0x5D, 0x4D, UInt8(i & 0xFF), UInt8(i >> 8), 0x61]
                b += [0x58, 4, 0, 0, 0] + Array("full".utf8) + [0x7D, 0x58, 1, 0, 0, 0, 0x78, 0x4D, UInt8(i & 0xFF), UInt8(i >> 8), 0x73]
                b.append(0x75)
            }
            b.append(0x75)
        }
        b += [0x75, 0x2E]
        let whole = try TestSupport.load(b)
        var seen: [(PickleValue, PickleValue)] = []
        let streamed = try TestSupport.load(b, stream: StreamRequest(path: [.string("arch2infos")]) { seen.append(($0, $1)) })
        guard case let .dict(all)? = whole["arch2infos"], case let .dict(left)? = streamed["arch2infos"] else { Issue.record("dicts"); return }
        #expect(all.count == 2500 && left.count == 0 && streamed["meta"] == .int(1))
        #expect(seen.map(\.0) == all.keys)
        #expect(seen.map(\.1) == all.values)
    }
}

/// Dict keys as Python's dict sees them, in small (searched) and large (indexed) dicts.
@Suite struct DictKeyTests {
    /// PROTO 2, EMPTY_DICT, MARK, (key, BININT1 value)..., SETITEMS, STOP.
    static func dictPickle(_ entries: [(key: [UInt8], value: UInt8)]) -> [UInt8] {
        var bytes: [UInt8] = [0x80, 0x02, 0x7D, 0x28]
        for (key, value) in entries { bytes += key + [0x4B, value] }
        return bytes + [0x75, 0x2E]
    }

    static func text(_ s: String) -> [UInt8] { [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) } // SHORT_BINUNICODE
    static func int(_ i: UInt8) -> [UInt8] { [0x4B, i] }                                     // BININT1

    @Test func repeatedKeysKeepTheirFirstPlaceAndTheirLastValue() throws {
        for size in [3, 8, 9, 40, 700] {
            var entries = (0..<size).map { (key: Self.text("ori-test@\($0)"), value: UInt8($0 % 200)) }
            entries += [(Self.text("ori-test@1"), 201), (Self.int(7), 202), (Self.text("ori-test@0"), 203), (Self.int(7), 204)]
            guard case let .dict(d) = try TestSupport.load(Self.dictPickle(entries)) else { Issue.record("not a dict"); return }
            #expect(d.count == size + 1, "size \(size)")
            #expect(d.keys.first == .string("ori-test@0") && d[.string("ori-test@0")] == .int(203))
            #expect(d[.string("ori-test@1")] == .int(201) && d[.int(7)] == .int(204))
            #expect(d[.string("ori-test@\(size - 1)")] == .int((size - 1) % 200) && d[.string("ori-test@\(size)")] == nil)
            #expect(d.keys.last == .int(7))
        }
    }

    @Test func textKeysCompareByCodePointsAsInPython() throws {
        // "é" precomposed and as e + combining accent: one key for Swift's ==, two for Python.
        for filler in [0, 20] {
            var entries: [(key: [UInt8], value: UInt8)] = (0..<filler).map { (key: Self.text("k\($0)"), value: UInt8($0)) }
            entries += [(Self.text("\u{E9}"), 1), (Self.text("e\u{301}"), 2)]
            guard case let .dict(d) = try TestSupport.load(Self.dictPickle(entries)) else { Issue.record("not a dict"); return }
            #expect(d.count == filler + 2)
            #expect(d[.string("\u{E9}")] == .int(1) && d[.string("e\u{301}")] == .int(2))
        }
    }
}

@Suite struct MemoTests {
    @Test func denseAndSparseSlotsAgree() {
        var memo = Memo(useArray: true)
        memo[5000] = .int(1)      // far beyond the array: dictionary
        for slot in 0..<4100 { memo[slot] = .int(slot) }
        memo[4500] = .int(2)      // the array grows over slot 5000's neighbourhood
        memo[5001] = .int(3)
        #expect(memo[5000] == .int(1) && memo[4500] == .int(2) && memo[5001] == .int(3) && memo[17] == .int(17))
        #expect(memo.liveCount == 4103)
        memo[17] = nil
        #expect(memo[17] == nil && memo.liveCount == 4102)
    }
}
