extension Cell {
    /// Canonical form of the function the cell computes, identical to the benchmark's `unique_str`
    /// (NATS-Bench `Structure.to_unique_str(consider_zero=True)`): each node is the sorted, '+'-joined list of
    /// its incoming terms; a term is the input node's form wrapped as `(x)@op`, the form itself for a skip, and
    /// `#` (zero) for `none` or a zero input. Sorting the terms makes the form invariant to swapping
    /// interchangeable nodes and edges; zero propagation makes dead edges vanish into `#`.
    /// It groups the 15,625 cells into the benchmark's 6,466 classes. It is the benchmark's key, kept exactly
    /// (non-isomorphic rankings must use the literature's classes), not a complete isomorphism test: a zero term
    /// stays in the string, so e.g. swapping nodes 1 and 2 that are both fed by node 0 only gives two keys.
    public var canonicalForm: String {
        var nodes = ["0"]
        var e = 0
        for _ in 1..<Cell.nodeCount {
            var terms: [String] = []
            for input in 0..<nodes.count {
                let x = nodes[input]
                let op = ops[e]
                e += 1
                switch op {
                case .none: terms.append("#")
                case _ where x == "#": terms.append("#")
                case .skipConnect: terms.append(x)
                default: terms.append("(\(x))@\(op.name)")
                }
            }
            // Byte order, as Python sorts ASCII strings.
            terms.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            nodes.append(terms.joined(separator: "+"))
        }
        return nodes[Cell.nodeCount - 1]
    }

    /// True when no path of non-`none` edges leads from the input (node 0) to the output (node 3):
    /// the network's cells then output zeros.
    public var isDisconnected: Bool { !nodesReachedFromInput[Cell.nodeCount - 1] }

    /// For each node, whether a path of non-`none` edges leads to it from the input (edges are in topological order).
    private var nodesReachedFromInput: [Bool] {
        var reached = [true, false, false, false]
        for (e, edge) in Cell.edges.enumerated() where ops[e] != .none && reached[edge.from] { reached[edge.to] = true }
        return reached
    }

    /// The ops with every edge that cannot change the cell's output set to `none`: edges into a node from which no
    /// path of non-`none` edges reaches the output, and edges out of a node that no such path from the input reaches
    /// (the node holds zeros, and with BN without affine parameters, as in a supernet's cells, every op maps zeros to
    /// zeros). Over the 15,625 cells 15 % of the non-`none` edges are dead this way; in `connectedClassRepresentatives`
    /// 0.7 % (the canonical form drops most dead edges, so a class's smallest ordinal has them `none`, but it does not
    /// read a node whose terms are all zero, "#+#", as zero).
    public var liveOps: [Operation] {
        let fromInput = nodesReachedFromInput
        var toOutput = [false, false, false, true]
        for (e, edge) in Cell.edges.enumerated().reversed() where ops[e] != .none && toOutput[edge.to] { toOutput[edge.from] = true }
        return Cell.edges.enumerated().map { e, edge in fromInput[edge.from] && toOutput[edge.to] ? ops[e] : .none }
    }
}

extension Cell {
    /// One cell per isomorphism class of connected cells (the class's smallest ordinal), in ordinal order: what a
    /// supernet samples from to train each function the benchmark distinguishes equally often.
    public static let connectedClassRepresentatives: [Cell] = {
        var seen = Set<String>()
        return all.filter { !$0.isDisconnected && seen.insert($0.canonicalForm).inserted }
    }()
}
