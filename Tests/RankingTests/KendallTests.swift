import Support
import Testing
@testable import Ranking

/// Kendall's tau by definition, over all n(n-1)/2 pairs.
private func bruteForceTau(_ x: [Double], _ y: [Double], _ variant: KendallVariant) -> Double {
    let n = x.count
    var s = 0, xTies = 0, yTies = 0
    for i in 0..<n {
        for j in (i + 1)..<n {
            let dx = x[i] - x[j], dy = y[i] - y[j]
            if dx == 0 { xTies += 1 }
            if dy == 0 { yTies += 1 }
            if dx * dy > 0 { s += 1 } else if dx * dy < 0 { s -= 1 }
        }
    }
    let pairs = Double(n * (n - 1) / 2)
    switch variant {
    case .a: return Double(s) / pairs
    case .b: return Double(s) / ((pairs - Double(xTies)) * (pairs - Double(yTies))).squareRoot()
    case .c:
        let m = Double(min(Set(x).count, Set(y).count))
        return 2 * Double(s) / (Double(n * n) * (m - 1) / m)
    }
}

/// Scores with `levels` distinct values (0: continuous), partly following `base` so tau is not near 0.
private func scores(_ n: Int, levels: Int, following base: [Double]? = nil, _ random: inout SeededRandom) -> [Double] {
    (0..<n).map { i in
        let noise = Double(random.nextGaussian())
        let v = (base?[i] ?? 0) + noise
        return levels == 0 ? v : (v * Double(levels) / 4).rounded()
    }
}

@Suite struct KendallTests {
    @Test(arguments: [(2, 0), (3, 2), (17, 0), (40, 3), (257, 5), (1000, 0), (1000, 12)])
    func allVariantsMatchTheDefinition(n: Int, levels: Int) throws {
        var random = SeededRandom(seed: UInt64(n * 100 + levels))
        let x = scores(n, levels: levels, &random)
        var y = scores(n, levels: levels, following: x, &random)
        if n == 2 { y = [x[1] < x[0] ? 0 : 1, x[1] < x[0] ? 1 : 0] }
        guard Set(x).count > 1 && Set(y).count > 1 else { return }
        for variant in KendallVariant.allCases {
            let tau = try kendallTau(x, y, variant: variant).statistic
            #expect(abs(tau - bruteForceTau(x, y, variant)) < 1e-12, "n=\(n) levels=\(levels) tau-\(variant)")
        }
    }

    /// Above the parallel thresholds the sorts and the inversion count (split in halves) take the two-thread paths,
    /// with few ties and with one tie group holding most items.
    @Test func largeInputsMatchTheDefinition() throws {
        var random = SeededRandom(seed: 4242)
        let n = 2 * parallelThreshold + 377
        let x = scores(n, levels: 40, &random), y = scores(n, levels: 0, following: x, &random)
        let top = x.max()!, topRun = x.indices.map { $0 % 10 < 6 ? top : x[$0] } // 60 % tied at the top
        for x in [x, topRun] {
            #expect(abs(try kendallTau(x, y).statistic - bruteForceTau(x, y, .b)) < 1e-12)
        }
    }

    /// The inversion counters against a plain merge count, at sizes whose bit-count tree has three levels (over
    /// 16,384 bits), with runs of equal values, and with copies (the bootstrap's weighted form) of 0 to 3 per position.
    @Test func inversionCountsMatchAMergeCount() {
        func mergeCount(_ a: inout ArraySlice<Int>) -> Int {
            guard a.count > 1 else { return 0 }
            let mid = a.startIndex + a.count / 2
            var left = a[..<mid], right = a[mid...]
            var count = mergeCount(&left) + mergeCount(&right)
            var merged: [Int] = [], i = left.startIndex, j = right.startIndex
            while i < left.endIndex || j < right.endIndex {
                if j == right.endIndex || (i < left.endIndex && left[i] <= right[j]) {
                    merged.append(left[i]); i += 1
                } else {
                    count += left.endIndex - i // every remaining left value is larger (strictly: ties go left first)
                    merged.append(right[j]); j += 1
                }
            }
            a = ArraySlice(merged)
            return count
        }
        var random = SeededRandom(seed: 17)
        for (n, bound) in [(40_000, 40_000), (40_000, 500), (20_000, 3)] {
            let values = (0..<n).map { _ in Int32(random.nextInt(below: bound)) }
            var slice = ArraySlice(values.map(Int.init))
            #expect(strictInversions(values, bound: bound) == mergeCount(&slice), "n \(n), bound \(bound)")
        }
        // Copies: position j stands for copies[j] items at places[j]; expanded, that is a plain sequence.
        let n = 30_000
        let places = (0..<n).map(Int32.init).shuffled(using: &random)
        let copies = (0..<n).map { _ in Int32(random.nextInt(below: 4)) }
        var expanded = ArraySlice(zip(places, copies).flatMap { place, c in [Int](repeating: Int(place), count: Int(c)) })
        #expect(weightedInversions(places: places, copies: copies) == mergeCount(&expanded))
    }

    @Test func reversingOneSideNegatesTau() throws {
        var random = SeededRandom(seed: 3)
        let x = scores(300, levels: 6, &random), y = scores(300, levels: 6, following: x, &random)
        let forward = try kendallTau(x, y), backward = try kendallTau(x, y.map { -$0 })
        #expect(abs(forward.statistic + backward.statistic) < 1e-15)
        #expect(abs(forward.pValue - backward.pValue) < 1e-15)
    }

    @Test func identicalRankingsWithTiesHaveTauBOne() throws {
        let x: [Double] = [1, 1, 2, 3, 3, 3, 7]
        #expect(try kendallTau(x, x.map { $0 * 10 + 5 }).statistic == 1)
        #expect(try kendallTau(x, x, variant: .a).statistic < 1) // tau-a counts ties against
    }

    /// The exact null distribution sums to 1: P(C <= c) + P(C >= c) - P(C = c) = 1 for every c.
    @Test func exactDistributionIsAProbability() {
        for n in [5, 9, 14] {
            let pairs = n * (n - 1) / 2
            for c in 0...pairs {
                let less = exactKendallPValue(n: n, concordant: c, alternative: .less)
                let greater = exactKendallPValue(n: n, concordant: c, alternative: .greater)
                let atMost = exactKendallPValue(n: n, concordant: max(c - 1, 0), alternative: .less)
                let mass = c == 0 ? less : less - atMost
                #expect(abs(less + greater - mass - 1) < 1e-12, "n=\(n) c=\(c)")
            }
        }
    }
}

@Suite struct OrderingTests {
    /// The two-stage radix sort against the standard library's sort, on inputs that stress each path:
    /// one long run of distinct doubles sharing a 32-bit image (the comparison sort), near-duplicates that need a
    /// few short runs sorted, signed zeros, infinities, heavy ties, values beyond Float's range, negative values.
    @Test func sortedOrderMatchesAStableSort() {
        var random = SeededRandom(seed: 11)
        let base = (0..<3000).map { _ in Double(random.nextGaussian()) }
        let inputs: [[Double]] = [
            base,
            base.map { 1 + $0 * 1e-12 }, // distinct doubles that round to a handful of Floats
            base.map { ($0 * 3).rounded() }, // heavy ties
            base.map { $0 < -1 ? -.infinity : $0 > 1 ? .infinity : $0 },
            base.map { $0 > 0 ? 0.0 : -0.0 } + [1, -1],
            base.map { -abs($0) * 1e300 },
            base.map { ($0 * 100).rounded() / 3 + ($0 > 0 ? 1e-13 : -1e-13) }, // near-duplicates in a narrow range
            base.map { $0 * 1e308 }, // a range beyond Double's: the Float image
            [0, 1] + base.map { 0.5 + ($0 * 4).rounded() * 0x1p-52 }, // a few ulps apart in a range of 1: one run
        ]
        for values in inputs {
            let expected = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
            let (order, sorted) = sortedOrder(values)
            #expect(order.map(Int.init) == expected)
            #expect(sorted.elementsEqual(expected.map { values[$0] }) { $0 == $1 })
        }
    }

    @Test func denseRanksAndAverageRanks() {
        let keys = OrderKeys(denseRanksOf: [3.5, -1, 3.5, 0, -0.0, 10])
        #expect(keys.keys == [2, 0, 2, 1, 1, 3])
        #expect(keys.bound == 4)
        #expect(keys.averageRanks() == [4.5, 1, 4.5, 2.5, 2.5, 6])
    }
}

@Suite struct RankingErrorTests {
    @Test func inputsAreChecked() {
        #expect(throws: RankingError.tooFewItems(count: 1, needed: 2)) { try kendallTau([1], [2]) }
        #expect(throws: RankingError.lengthMismatch(first: 3, second: 2)) { try spearmanRho([1, 2, 3], [1, 2]) }
        #expect(throws: RankingError.nanScore(input: "the second vector", index: 1)) {
            try pearsonR([1, 2, 3], [1, .nan, 3])
        }
        #expect(throws: RankingError.constantScores(input: "the first vector")) { try kendallTau([2, 2, 2], [1, 2, 3]) }
        #expect(throws: RankingError.constantScores(input: "the second vector")) { try weightedTau([1, 2, 3], [5, 5, 5]) }
        #expect(throws: RankingError.exactPValueWithTies) { try kendallTau([1, 1, 2], [1, 2, 3], method: .exact) }
        #expect(throws: RankingError.invalidK(k: 4, count: 3)) {
            try topKAgreement(k: 4, predicted: [1, 2, 3], truth: [1, 2, 3])
        }
        #expect(throws: RankingError.invalidDecimals(-1)) {
            try sparseKendallTau(predicted: [1, 2], truth: [1, 2], decimals: -1)
        }
        #expect(throws: RankingError.invalidLevel(1)) {
            try bootstrapIntervals(predicted: [1, 2, 3], truth: [1, 2, 3], metrics: [.spearman], level: 1, seed: 0)
        }
    }

    @Test func omittingNaNPairsDropsThemFromBothVectors() throws {
        let x = [1, .nan, 3, 4, 5.0], y = [2, 9, .nan, 1, 7.0]
        let omitted = try kendallTau(x, y, nanPolicy: .omitPairs)
        #expect(omitted == (try kendallTau([1, 4, 5], [2, 1, 7])))
        #expect(throws: RankingError.tooFewItems(count: 1, needed: 2)) {
            try kendallTau([1, .nan, 3], [2, 3, .nan], nanPolicy: .omitPairs)
        }
    }

    @Test func messagesSayWhatToDo() {
        #expect(RankingError.nanScore(input: "the first vector", index: 7).description.contains("omitPairs"))
        #expect(RankingError.lengthMismatch(first: 3, second: 2).description.contains("3 vs 2"))
    }
}
