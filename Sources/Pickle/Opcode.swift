/// The supported pickle opcodes (protocols 2-5, the subset listed in FORMATS.md), with their byte values.
enum Opcode: UInt8 {
    case proto = 0x80, frame = 0x95, stop = 0x2E
    case mark = 0x28, pop = 0x30, popMark = 0x31, dup = 0x32
    case none = 0x4E, newTrue = 0x88, newFalse = 0x89
    case binInt = 0x4A, binInt1 = 0x4B, binInt2 = 0x4D, long1 = 0x8A, long4 = 0x8B, binFloat = 0x47
    case binUnicode = 0x58, shortBinUnicode = 0x8C, binUnicode8 = 0x8D
    case binString = 0x54, shortBinString = 0x55
    case binBytes = 0x42, shortBinBytes = 0x43, binBytes8 = 0x8E
    case emptyList = 0x5D, append = 0x61, appends = 0x65
    case emptyDict = 0x7D, setItem = 0x73, setItems = 0x75
    case emptyTuple = 0x29, tuple = 0x74, tuple1 = 0x85, tuple2 = 0x86, tuple3 = 0x87
    case emptySet = 0x8F, addItems = 0x90, frozenSet = 0x91
    case memoize = 0x94, binPut = 0x71, longBinPut = 0x72, binGet = 0x68, longBinGet = 0x6A
    case global = 0x63, stackGlobal = 0x93
    case reduce = 0x52, build = 0x62, newObj = 0x81, binPersId = 0x51

    /// Decodes an opcode byte found at `offset`, or throws naming it.
    @inline(__always)
    static func decode(_ byte: UInt8, at offset: Int) throws -> Opcode {
        guard let op = Opcode(rawValue: byte) else { throw PickleError.unknownOpcode(byte, offset: offset) }
        return op
    }

    /// Python's name for an opcode byte, for error messages (also for opcodes outside the subset).
    static func name(_ byte: UInt8) -> String {
        if let op = Opcode(rawValue: byte) { return op.name }
        switch byte {
        case 0x49: return "INT (protocol 0)"; case 0x4C: return "LONG (protocol 0)"; case 0x53: return "STRING (protocol 0)"
        case 0x56: return "UNICODE (protocol 0)"; case 0x46: return "FLOAT (protocol 0)"; case 0x70: return "PUT (protocol 0)"
        case 0x67: return "GET (protocol 0)"; case 0x6C: return "LIST"; case 0x64: return "DICT"; case 0x69: return "INST"
        case 0x6F: return "OBJ"; case 0x50: return "PERSID"; case 0x92: return "NEWOBJ_EX"; case 0x96: return "BYTEARRAY8"
        case 0x97: return "NEXT_BUFFER"; case 0x98: return "READONLY_BUFFER"; case 0x82, 0x83, 0x84: return "EXT"
        default: return "unknown"
        }
    }

    var name: String {
        switch self {
        case .proto: "PROTO"; case .frame: "FRAME"; case .stop: "STOP"; case .mark: "MARK"; case .pop: "POP"
        case .popMark: "POP_MARK"; case .dup: "DUP"; case .none: "NONE"; case .newTrue: "NEWTRUE"; case .newFalse: "NEWFALSE"
        case .binInt: "BININT"; case .binInt1: "BININT1"; case .binInt2: "BININT2"; case .long1: "LONG1"; case .long4: "LONG4"
        case .binFloat: "BINFLOAT"; case .binUnicode: "BINUNICODE"; case .shortBinUnicode: "SHORT_BINUNICODE"
        case .binUnicode8: "BINUNICODE8"; case .binString: "BINSTRING"; case .shortBinString: "SHORT_BINSTRING"
        case .binBytes: "BINBYTES"; case .shortBinBytes: "SHORT_BINBYTES"; case .binBytes8: "BINBYTES8"
        case .emptyList: "EMPTY_LIST"; case .append: "APPEND"; case .appends: "APPENDS"; case .emptyDict: "EMPTY_DICT"
        case .setItem: "SETITEM"; case .setItems: "SETITEMS"; case .emptyTuple: "EMPTY_TUPLE"; case .tuple: "TUPLE"
        case .tuple1: "TUPLE1"; case .tuple2: "TUPLE2"; case .tuple3: "TUPLE3"; case .emptySet: "EMPTY_SET"
        case .addItems: "ADDITEMS"; case .frozenSet: "FROZENSET"; case .memoize: "MEMOIZE"; case .binPut: "BINPUT"
        case .longBinPut: "LONG_BINPUT"; case .binGet: "BINGET"; case .longBinGet: "LONG_BINGET"; case .global: "GLOBAL"
        case .stackGlobal: "STACK_GLOBAL"; case .reduce: "REDUCE"; case .build: "BUILD"; case .newObj: "NEWOBJ"
        case .binPersId: "BINPERSID"
        }
    }
}
