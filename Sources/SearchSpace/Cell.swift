/// One edge of the cell DAG: the op on it reads node `from` and adds into node `to`.
public struct Edge: Sendable, Hashable {
    public let from: Int
    public let to: Int
}

/// A NAS-Bench-201 cell: one operation on each of the 6 edges of a 4-node DAG.
/// Edges are kept in the canonical order (0->1), (0->2), (1->2), (0->3), (1->3), (2->3),
/// which is also the order of the arch string and of the op codes.
public struct Cell: Sendable, Hashable, CustomStringConvertible {
    public static let edges: [Edge] = [
        Edge(from: 0, to: 1), Edge(from: 0, to: 2), Edge(from: 1, to: 2),
        Edge(from: 0, to: 3), Edge(from: 1, to: 3), Edge(from: 2, to: 3),
    ]
    public static let edgeCount = 6
    public static let nodeCount = 4
    /// 5^6 cells in the space.
    public static let spaceSize = 15_625
    /// Length of the one-hot encoding: 6 edges x 5 ops.
    public static let encodingLength = edgeCount * Operation.allCases.count

    public let ops: [Operation]

    public init(ops: [Operation]) throws(ArchError) {
        guard ops.count == Cell.edgeCount else { throw .wrongEdgeCount(found: ops.count) }
        self.ops = ops
    }

    /// The cell whose op codes, read as a base-5 number with edge 0 most significant, equal `ordinal`.
    /// This enumeration order is NOT the benchmark's index order (that is a fixed shuffle read from its files).
    public init(ordinal: Int) throws(ArchError) {
        guard (0..<Cell.spaceSize).contains(ordinal) else { throw .ordinalOutOfRange(ordinal) }
        var rest = ordinal
        var ops = [Operation](repeating: .none, count: Cell.edgeCount)
        for e in stride(from: Cell.edgeCount - 1, through: 0, by: -1) {
            ops[e] = Operation(rawValue: rest % 5)!
            rest /= 5
        }
        self.ops = ops
    }

    public var ordinal: Int { ops.reduce(0) { $0 * 5 + $1.rawValue } }

    public static var all: [Cell] { (0..<spaceSize).map { try! Cell(ordinal: $0) } }

    /// Op codes: 6 digits, the op index of each edge in canonical order, e.g. "334131".
    public var opCodes: String { String(ops.map { Character(String($0.rawValue)) }) }

    public init(opCodes: String) throws(ArchError) {
        let chars = Array(opCodes)
        guard chars.count == Cell.edgeCount else { throw .malformedOpCodes(opCodes, reason: "expected 6 digits, found \(chars.count) characters") }
        var ops: [Operation] = []
        for (i, c) in chars.enumerated() {
            guard let v = c.wholeNumberValue, let op = Operation(rawValue: v) else {
                throw .malformedOpCodes(opCodes, reason: "character \(i + 1) '\(c)' is not an op index 0-4")
            }
            ops.append(op)
        }
        self.ops = ops
    }

    /// The arch string, e.g. `|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|`.
    public var archString: String {
        var groups: [String] = []
        var e = 0
        for node in 1..<Cell.nodeCount {
            var parts: [String] = []
            for input in 0..<node {
                parts.append("\(ops[e].name)~\(input)")
                e += 1
            }
            groups.append("|" + parts.joined(separator: "|") + "|")
        }
        return groups.joined(separator: "+")
    }

    public init(archString: String) throws(ArchError) {
        // Parsed over UTF-8 bytes: importers parse tens of thousands of these.
        let bytes = Array(archString.utf8)
        let groups = bytes.split(separator: UInt8(ascii: "+"), omittingEmptySubsequences: false)
        guard groups.count == Cell.nodeCount - 1 else {
            throw .malformedArchString(archString, reason: "expected 3 '+'-separated node groups, found \(groups.count)")
        }
        let bar = UInt8(ascii: "|")
        var ops: [Operation] = []
        ops.reserveCapacity(Cell.edgeCount)
        for (g, group) in groups.enumerated() {
            let node = g + 1
            guard group.count >= 2, group.first == bar, group.last == bar else {
                throw .malformedArchString(archString, reason: "node \(node) group '\(String(decoding: group, as: UTF8.self))' must start and end with '|'")
            }
            let items = group.dropFirst().dropLast().split(separator: bar, omittingEmptySubsequences: false)
            guard items.count == node else {
                throw .malformedArchString(archString, reason: "node \(node) needs \(node) input edge(s), found \(items.count) in '\(String(decoding: group, as: UTF8.self))'")
            }
            for (input, item) in items.enumerated() {
                let pieces = item.split(separator: UInt8(ascii: "~"), omittingEmptySubsequences: false)
                guard pieces.count == 2 else {
                    throw .malformedArchString(archString, reason: "edge \(input)->\(node): '\(String(decoding: item, as: UTF8.self))' is not of the form op~\(input)")
                }
                guard let op = Operation.allCases.first(where: { $0.name.utf8.elementsEqual(pieces[0]) }) else {
                    throw .unknownOperation(String(decoding: pieces[0], as: UTF8.self), edge: "\(input)->\(node)")
                }
                guard pieces[1].count == 1, pieces[1].first == UInt8(ascii: "0") + UInt8(input) else {
                    throw .malformedArchString(archString, reason: "edge \(input)->\(node): input node is '\(String(decoding: pieces[1], as: UTF8.self))', expected \(input)")
                }
                ops.append(op)
            }
        }
        self.ops = ops
    }

    /// One-hot encoding, 6 x 5 floats, edge-major (edge order and op order as above).
    public var oneHot: [Float] {
        var v = [Float](repeating: 0, count: Cell.encodingLength)
        for (e, op) in ops.enumerated() { v[e * 5 + op.rawValue] = 1 }
        return v
    }

    /// The op on the edge from node `from` into node `to`.
    public func op(from: Int, to: Int) -> Operation {
        ops[Cell.edges.firstIndex(of: Edge(from: from, to: to))!]
    }

    public var description: String { archString }
}

public enum ArchError: Error, Equatable, CustomStringConvertible {
    case wrongEdgeCount(found: Int)
    case ordinalOutOfRange(Int)
    case malformedOpCodes(String, reason: String)
    case malformedArchString(String, reason: String)
    case unknownOperation(String, edge: String)

    public var description: String {
        switch self {
        case .wrongEdgeCount(let n): "a cell has 6 edges, got \(n) operations"
        case .ordinalOutOfRange(let i): "cell ordinal \(i) is outside 0..<15625"
        case .malformedOpCodes(let s, let r): "malformed op codes '\(s)': \(r)"
        case .malformedArchString(let s, let r): "malformed arch string '\(s)': \(r)"
        case .unknownOperation(let name, let edge):
            "unknown operation '\(name)' on edge \(edge); valid operations: \(Operation.allNames.joined(separator: ", "))"
        }
    }
}
