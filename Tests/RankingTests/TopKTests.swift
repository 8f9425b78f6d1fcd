import Testing
import Ranking

@Suite struct TopKTests {
    @Test func untiedOverlapAndRanks() throws {
        // True order best to worst: items 0, 1, 2, 3, 4, 5. Predicted top 2: items 1 and 3.
        let truth: [Double] = [6, 5, 4, 3, 2, 1]
        let predicted: [Double] = [0.2, 0.9, 0.1, 0.8, 0.3, 0.4]
        let r = try topKAgreement(k: 2, predicted: predicted, truth: truth)
        #expect(r.precisionAtTop == 0.5) // {1, 3} vs {0, 1}
        #expect(r.bestTrueRankInTop == 2)
        #expect(r.worstTrueRankInTop == 4)
        #expect(r.precisionAtBottom == 0) // predicted bottom {2, 0} vs true bottom {5, 4}
        let perfect = try topKAgreement(k: 3, predicted: truth, truth: truth)
        #expect(perfect.precisionAtTop == 1 && perfect.precisionAtBottom == 1)
        #expect(perfect.bestTrueRankInTop == 1 && perfect.worstTrueRankInTop == 3)
    }

    /// Three items tie for the predicted second place with one free slot: each is in with probability 1/3.
    @Test func boundaryTiesCountAsExpectedOverlap() throws {
        let truth: [Double] = [10, 9, 8, 7, 6]
        let predicted: [Double] = [5, 3, 3, 3, 1]
        let r = try topKAgreement(k: 2, predicted: predicted, truth: truth)
        // Item 0 is surely in (and truly top 2); item 1 is truly top 2 and in with probability 1/3.
        #expect(abs(r.precisionAtTop - (1 + 1.0 / 3) / 2) < 1e-15)
        #expect(r.bestTrueRankInTop == 1 && r.worstTrueRankInTop == 4) // ties included: items 0...3
        // Ties in the truth share the best competition rank.
        let tiedTruth = try topKAgreement(k: 1, predicted: [1, 2, 3], truth: [5, 9, 9])
        #expect(tiedTruth.bestTrueRankInTop == 1 && tiedTruth.precisionAtTop == 0.5)
    }

    @Test func resultDoesNotDependOnItemOrder() throws {
        let truth: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
        let predicted: [Double] = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4]
        let permutation = [4, 9, 0, 7, 2, 10, 5, 1, 8, 3, 6]
        for k in 1...truth.count {
            let a = try topKAgreement(k: k, predicted: predicted, truth: truth)
            let b = try topKAgreement(k: k, predicted: permutation.map { predicted[$0] }, truth: permutation.map { truth[$0] })
            #expect(abs(a.precisionAtTop - b.precisionAtTop) < 1e-15)
            #expect(abs(a.precisionAtBottom - b.precisionAtBottom) < 1e-15)
            #expect(a.bestTrueRankInTop == b.bestTrueRankInTop && a.worstTrueRankInTop == b.worstTrueRankInTop)
        }
        #expect(try topKAgreement(k: truth.count, predicted: predicted, truth: truth).precisionAtTop == 1)
    }
}

/// Expected overlap by definition: every way of breaking the ties (a uniformly random permutation of the
/// items decides among equal scores), for both rankings independently.
@Suite struct TopKBruteForceTests {
    private func permutations(_ n: Int) -> [[Int]] {
        guard n > 0 else { return [[]] }
        return permutations(n - 1).flatMap { p in (0...p.count).map { i in var q = p; q.insert(n - 1, at: i); return q } }
    }

    private func topSet(_ scores: [Double], _ priority: [Int], _ k: Int, fromTop: Bool) -> Set<Int> {
        let order = scores.indices.sorted { i, j in
            scores[i] != scores[j] ? (fromTop ? scores[i] > scores[j] : scores[i] < scores[j]) : priority[i] < priority[j]
        }
        return Set(order.prefix(k))
    }

    @Test func precisionIsTheMeanOverAllTieBreaks() throws {
        let predicted: [Double] = [3, 1, 3, 2, 3]
        let truth: [Double] = [5, 5, 4, 4, 1]
        let all = permutations(predicted.count)
        for k in 1...predicted.count {
            var top = 0.0, bottom = 0.0
            for p in all {
                let pTop = topSet(predicted, p, k, fromTop: true), pBottom = topSet(predicted, p, k, fromTop: false)
                for t in all {
                    top += Double(pTop.intersection(topSet(truth, t, k, fromTop: true)).count)
                    bottom += Double(pBottom.intersection(topSet(truth, t, k, fromTop: false)).count)
                }
            }
            let combinations = Double(all.count * all.count * k)
            let r = try topKAgreement(k: k, predicted: predicted, truth: truth)
            #expect(abs(r.precisionAtTop - top / combinations) < 1e-12, "k=\(k) top")
            #expect(abs(r.precisionAtBottom - bottom / combinations) < 1e-12, "k=\(k) bottom")
        }
    }
}
