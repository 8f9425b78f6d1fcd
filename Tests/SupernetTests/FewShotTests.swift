import Datasets
import Engine
import SearchSpace
import Testing
@testable import Supernet

/// Few-shot NAS (Zhao et al., ICML 2021) as a split of the warmed-up supernet on one edge: five sub-supernets, one per
/// operation there, each starting from the warm-up; a path is trained and scored by the sub-supernet of its operation.
@Suite struct FewShotTests {
    static let edge = 2

    static func trainer() throws -> SupernetTrainer {
        var c = TrainingTests.config(k: 1, epochs: 3)
        c = c.fewShot(edge: edge)
        return try SupernetTrainer(config: c, training: TrainingTests.data, dataset: .cifar10)
    }

    @Test func aPathUsesAndTrainsTheSubSupernetOfItsOperation() throws {
        let t = try Self.trainer()
        #expect(t.config.k == 5 && t.simplex == nil)
        #expect(t.code(Tiny.path) == [1, 0, 0, 0, 0], "the warm-up trains one supernet")
        try t.train(stopAfter: 1)
        let items = t.supernet.dictionary.items
        #expect(items.allSatisfy { $0.map(\.value.array) == items[0].map(\.value.array) }, "every sub-supernet starts from the warm-up")
        let cell = try Cell(opCodes: "321430") // conv1x1 (code 2) on edge 2
        let op = Int(cell.ops[Self.edge].rawValue)
        #expect(t.code(cell) == (0..<5).map { $0 == op ? 1 : 0 })
        let before = items.map { $0.map(\.value.array) }
        let momentum = t.optimizers.map { $0.momentumBuffers.map(\.array) }
        _ = t.supernetStep(t.plan.batch(BatchPosition(epoch: 1, batch: 0)), path: cell, iteration: 4)
        let used = Set(t.supernet.usedTensors(cell))
        for item in 0..<5 {
            let moved = items[item].indices.filter { items[item][$0].value.array != before[item][$0] }
            #expect(moved.isEmpty == (item != op), "sub-supernet \(item) moved \(moved.count) tensors")
            if item == op { #expect(Set(moved) == used) }
            if item != op { #expect(t.optimizers.indices.allSatisfy { t.optimizers[$0].momentumBuffers[item].array == momentum[$0][item] }) }
        }
        // The path's merged weights are exactly its sub-supernet's.
        t.supernet.setPath(cell, lambda: t.code(cell))
        for i in used { #expect(t.supernet.dictionary.working[i].value.array == items[op][i].value.array) }
    }

    /// Over the rest of the run each sub-supernet is trained by the steps whose path has its operation on the edge,
    /// and the paths' estimates use them.
    @Test func subSupernetsShareTheBudget() throws {
        let t = try Self.trainer()
        try t.train()
        let items = t.supernet.dictionary.items
        let drawn = Set((4..<12).map { Int(t.samplePath($0).ops[Self.edge].rawValue) })
        for item in 0..<5 {
            let distinct = item == 0 ? false : items[item].indices.contains { items[item][$0].value.array != items[0][$0].value.array }
            if item > 0 && drawn.contains(item) { #expect(distinct, "sub-supernet \(item) was trained but equals sub-supernet 0") }
        }
        let evaluator = TrainingTests.evaluator(t)
        for cell in TrainingTests.probes {
            let estimate = evaluator.evaluate(cell)
            #expect(estimate.lambda == t.code(cell) && estimate.loss.isFinite)
        }
        var c = t.config
        c.k = 4
        #expect(throws: SupernetError.self) { try c.validate() }
        c = t.config
        c.splitEdge = 6
        #expect(throws: SupernetError.self) { try c.validate() }
        // No simplex-net: a batch smaller than the simplex paths is fine.
        c = t.config
        c.batchSize = 8
        #expect(throws: Never.self) { try c.validate() }
    }
}
