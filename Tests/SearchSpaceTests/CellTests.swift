import Testing
@testable import SearchSpace

@Suite struct CellTests {
    let best = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"

    @Test func archStringRoundTrip() throws {
        let cell = try Cell(archString: best)
        #expect(cell.archString == best)
        #expect(cell.opCodes == "333132")
        #expect(try Cell(opCodes: "333132") == cell)
        #expect(try Cell(ordinal: cell.ordinal) == cell)
    }

    @Test func everyCellRoundTrips() throws {
        var seen = Set<String>()
        for cell in Cell.all {
            #expect(try Cell(archString: cell.archString) == cell)
            seen.insert(cell.archString)
        }
        #expect(seen.count == Cell.spaceSize)
    }

    @Test func oneHotMarksOneOpPerEdge() throws {
        let v = try Cell(opCodes: "012340").oneHot
        #expect(v.count == 30)
        #expect(v.reduce(0, +) == 6)
        #expect(v[0] == 1 && v[5 + 1] == 1 && v[10 + 2] == 1 && v[15 + 3] == 1 && v[20 + 4] == 1 && v[25] == 1)
    }

    @Test func malformedArchStringsNameTheProblem() {
        let cases: [(String, String)] = [
            ("", "3 '+'-separated"),
            ("|nor_conv_3x3~0|+|nor_conv_3x3~0|", "3 '+'-separated"),
            ("|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "node 2 needs 2"),
            ("|conv_5x5~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "conv_5x5"),
            ("|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "edge 0->1"),
            ("nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "node 1"),
            ("|nor_conv_3x3|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "op~0"),
        ]
        for (input, fragment) in cases {
            #expect(throws: ArchError.self) { try Cell(archString: input) }
            do { _ = try Cell(archString: input) } catch {
                #expect(error.description.contains(fragment), "\(error.description) should mention \(fragment)")
            }
        }
        #expect(throws: ArchError.self) { try Cell(opCodes: "33313") }
        #expect(throws: ArchError.self) { try Cell(opCodes: "333135") }
        #expect(throws: ArchError.self) { try Cell(ordinal: 15_625) }
        #expect(throws: ArchError.self) { try Cell(ordinal: -1) }
    }

    @Test func disconnectedCells() throws {
        #expect(try Cell(opCodes: "000000").isDisconnected)
        #expect(try Cell(opCodes: "100000").isDisconnected) // 0->1 only; node 1 never reaches 3
        #expect(!(try Cell(opCodes: "000100").isDisconnected))
        #expect(!(try Cell(opCodes: "100010").isDisconnected))
        // 341 cells have no input-output path (NB201.md): their canonical forms never mention the input "0"
        // (the benchmark's unique_str keeps the shape of the zero terms, so they fall into several classes).
        let dead = Cell.all.filter(\.isDisconnected)
        #expect(dead.count == 341)
        #expect(dead.allSatisfy { !$0.canonicalForm.contains("0") })
        #expect(Cell.all.filter { !$0.isDisconnected }.allSatisfy { $0.canonicalForm.contains("0") })
    }

    /// That the pruned cell computes the same function is checked numerically on a supernet's cells
    /// (SupernetTests, `deadEdgesChangeNothing`); here the pruning itself.
    @Test func liveOpsDropOnlyEdgesThatCannotChangeTheOutput() throws {
        func live(_ codes: String) throws -> String { try Cell(ops: Cell(opCodes: codes).liveOps).opCodes }
        #expect(try live("333330") == "300330") // node 2 reaches no output: its two input edges are dead
        #expect(try live("033333") == "030303") // node 1 is zero: its two output edges are dead
        #expect(try live("400444") == "400440") // node 2 is zero (both inputs none): its output edge is dead
        #expect(try live("100000") == "000000") // disconnected: everything
        #expect(try live("333333") == "333333")
        var dead = 0
        for cell in Cell.all {
            let pruned = try Cell(ops: cell.liveOps)
            #expect(pruned.isDisconnected == cell.isDisconnected)
            #expect(pruned.liveOps == pruned.ops)
            dead += zip(cell.ops, pruned.ops).filter { $0 != $1 }.count
        }
        #expect(dead == 11_300) // of 75,000 non-none edges (15 %)
        // The benchmark's key writes a node whose terms are all zero as "#+#", not as zero, so 226 class
        // representatives (smallest ordinals) keep a dead edge out of such a node, e.g. "400444".
        let representatives = Cell.connectedClassRepresentatives
        #expect(representatives.filter { $0.liveOps != $0.ops }.count == 226)
        #expect(representatives.contains(try Cell(opCodes: "400444")))
    }
}

@Suite struct CostModelTests {
    @Test func bestCellHasBenchmarkParameterCount() throws {
        let best = try Cell(opCodes: "333132")
        #expect(Cost(cell: best, shape: .benchmark(classes: 10, resolution: 32)).parameters == 1_073_466)
    }

    /// Values from the real NATS-Bench records of architectures 0 and 11 (../shared/data/nats-tss).
    @Test func matchesRealRecords() throws {
        let arch0 = try Cell(archString: "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|")
        let arch11 = try Cell(archString: "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|")
        let records: [(Cell, Int, Int, Double, Double)] = [
            (arch0, 10, 32, 0.129306, 15.64737), (arch0, 100, 32, 0.135156, 15.65322), (arch0, 120, 16, 0.136456, 3.91948),
            (arch11, 10, 32, 0.802426, 113.95137), (arch11, 100, 32, 0.808276, 113.95722), (arch11, 120, 16, 0.809576, 28.49548),
        ]
        for (cell, classes, res, params, flops) in records {
            let cost = Cost(cell: cell, shape: .benchmark(classes: classes, resolution: res))
            #expect(cost.parameters == Int((params * 1e6).rounded()))
            // The records print millions to 5 decimals, i.e. to the nearest 10 FLOPs.
            #expect(abs(Double(cost.flops) - flops * 1e6) <= 5, "flops \(cost.flops) vs \(flops)M")
        }
    }
}
