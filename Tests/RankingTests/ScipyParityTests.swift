import Foundation
import Testing
import Ranking

/// Golden values written by benchmarks/make_ranking_golden.py with scipy 1.17.
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
    var scipy: String
    var cases: [Case]

    static func load() throws -> Golden {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("data/fixtures/ranking_golden.json"))
        return try JSONDecoder().decode(Golden.self, from: data)
    }
}

private let tolerance = 1e-12

/// `actual` equals scipy's `expected` (nil: scipy's NaN) to 1e-12.
private func agree(_ actual: Double, _ expected: Double?, _ what: String, _ c: Golden.Case) {
    guard let expected else {
        #expect(actual.isNaN, "\(c.name) \(what): scipy gives NaN, got \(actual)")
        return
    }
    #expect(abs(actual - expected) <= tolerance, "\(c.name) \(what): \(actual) vs scipy \(expected)")
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
