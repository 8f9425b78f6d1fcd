import Foundation
import Testing
import Ranking

/// Golden values written by data/fixtures/generate/make_ranking_golden.py with scipy 1.17.
private struct Golden: Decodable {
    struct Case: Decodable {
        var name: String
        var x: [Double]
        var y: [Double]
        var kendall_b: [String: [Double?]]
        var kendall_c: [String: [Double?]]
        var spearman: [String: [Double?]]
        var pearson: [String: [Double?]]
        var kendall_b_asymptotic: [Double?]?
        var weighted_tau: Double?
        var sparse_tau_1: Double?
    }
    struct GroundTruthCase: Decodable {
        var file: String
        var x_column: String
        var y_column: String
        var kendall_b: [String: [Double?]]
        var kendall_c: [String: [Double?]]
        var spearman: [String: [Double?]]
        var pearson: [String: [Double?]]
        var weighted_tau: Double?
        var sparse_tau_1: Double?
    }
    var scipy: String
    var cases: [Case]
    var ground_truth: GroundTruthCase?

    static func load() throws -> Golden {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("data/fixtures/ranking_golden.json"))
        return try JSONDecoder().decode(Golden.self, from: data)
    }
}

private let tolerance = 1e-12

/// `actual` equals scipy's `expected` (nil: scipy's NaN) to 1e-12.
private func agree(_ actual: Double, _ expected: Double?, _ what: String, _ c: Golden.Case) {
    agree(actual, expected, "\(c.name) \(what)")
}

private func agree(_ actual: Double, _ expected: Double?, _ what: String) {
    guard let expected else {
        #expect(actual.isNaN, "\(what): scipy gives NaN, got \(actual)")
        return
    }
    #expect(abs(actual - expected) <= tolerance, "\(what): \(actual) vs scipy \(expected)")
}

@Suite struct ScipyParityTests {
    private let golden: Golden
    init() throws { golden = try Golden.load() }

    @Test func fixtureIsFromScipy117() {
        #expect(golden.scipy.hasPrefix("1.17"))
        #expect(golden.cases.count >= 20)
    }

    @Test func kendallTauBAndCWithPValues() throws {
        for c in golden.cases {
            for alternative in Alternative.allCases {
                for (variant, table) in [(KendallVariant.b, c.kendall_b), (.c, c.kendall_c)] {
                    let r = try kendallTau(c.x, c.y, variant: variant, alternative: alternative)
                    let expected = table[alternative.rawValue]!
                    agree(r.statistic, expected[0], "tau-\(variant) \(alternative)", c)
                    agree(r.pValue, expected[1], "tau-\(variant) p \(alternative)", c)
                }
            }
            if let expected = c.kendall_b_asymptotic {
                let r = try kendallTau(c.x, c.y, method: .asymptotic)
                agree(r.pValue, expected[1], "tau-b asymptotic p", c)
            }
        }
    }

    @Test func spearmanAndPearsonWithPValues() throws {
        for c in golden.cases {
            for alternative in Alternative.allCases {
                let s = try spearmanRho(c.x, c.y, alternative: alternative)
                agree(s.statistic, c.spearman[alternative.rawValue]![0], "spearman \(alternative)", c)
                agree(s.pValue, c.spearman[alternative.rawValue]![1], "spearman p \(alternative)", c)
                let p = try pearsonR(c.x, c.y, alternative: alternative)
                agree(p.statistic, c.pearson[alternative.rawValue]![0], "pearson \(alternative)", c)
                agree(p.pValue, c.pearson[alternative.rawValue]![1], "pearson p \(alternative)", c)
            }
        }
    }

    @Test func weightedAndSparseTau() throws {
        for c in golden.cases {
            agree(try weightedTau(c.x, c.y), c.weighted_tau, "weighted tau", c)
            agree(try sparseKendallTau(predicted: c.x, truth: c.y, decimals: 1).statistic, c.sparse_tau_1, "sparse tau", c)
        }
    }
}

/// The same comparison on two columns of the real ground truth (15,625 cells, heavy ties), read in place.
@Suite(.enabled(if: GroundTruth.isPresent, "needs \(GroundTruth.path.path) (../shared)"))
struct ScipyParityOnGroundTruthTests {
    @Test func allStatisticsMatchScipy() throws {
        let g = try #require(try Golden.load().ground_truth, "fixture lacks the ground-truth block")
        let columns = try GroundTruth.columns([g.x_column, g.y_column])
        let (x, y) = (columns[0], columns[1])
        #expect(x.count == 15_625)
        for alternative in Alternative.allCases {
            let key = alternative.rawValue
            for (variant, table) in [(KendallVariant.b, g.kendall_b), (.c, g.kendall_c)] {
                let r = try kendallTau(x, y, variant: variant, alternative: alternative)
                agree(r.statistic, table[key]![0], "ground truth tau-\(variant) \(key)")
                agree(r.pValue, table[key]![1], "ground truth tau-\(variant) p \(key)")
            }
            let s = try spearmanRho(x, y, alternative: alternative)
            agree(s.statistic, g.spearman[key]![0], "ground truth spearman \(key)")
            agree(s.pValue, g.spearman[key]![1], "ground truth spearman p \(key)")
            let p = try pearsonR(x, y, alternative: alternative)
            agree(p.statistic, g.pearson[key]![0], "ground truth pearson \(key)")
            agree(p.pValue, g.pearson[key]![1], "ground truth pearson p \(key)")
        }
        agree(try weightedTau(x, y), g.weighted_tau, "ground truth weighted tau")
        agree(try sparseKendallTau(predicted: x, truth: y, decimals: 1).statistic, g.sparse_tau_1, "ground truth sparse tau")
    }
}
