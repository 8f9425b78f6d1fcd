/// How the simplex codes of a set of paths share the K items: the diagnostics that tell a K-shot dictionary in use
/// from one collapsed onto a single item.
public struct CodeSummary: Codable, Hashable, Sendable {
    /// Mean over paths of the largest lambda_k: 1/K for even codes, 1 when every path uses one item alone.
    public var meanLargestLambda: Double
    /// Mean over paths of sum_k lambda_k^2, the factor of the merged weight's learning rate under `ItemGradient.lambda`.
    public var meanSumOfSquares: Double
    /// Share of paths whose largest weight is on the item most paths favour (1 = every path leans on the same item).
    public var dominantItemShare: Double
    /// Mean over paths of the total-variation distance between the path's code and the mean code (0 = every path has
    /// the same code, so the dictionary acts as one supernet).
    public var spread: Double

    /// The summary of `codes` (one code per path), nil when there are none.
    public init?(codes: [[Double]]) {
        guard let k = codes.first?.count, k > 0 else { return nil }
        let n = Double(codes.count)
        var favoured = [Int](repeating: 0, count: k), mean = [Double](repeating: 0, count: k)
        for code in codes {
            favoured[code.indices.max { code[$0] < code[$1] }!] += 1
            for j in 0..<k { mean[j] += code[j] / n }
        }
        meanLargestLambda = codes.map { $0.max()! }.reduce(0, +) / n
        meanSumOfSquares = codes.map { $0.reduce(0) { $0 + $1 * $1 } }.reduce(0, +) / n
        dominantItemShare = Double(favoured.max()!) / n
        spread = codes.map { code in 0.5 * zip(code, mean).reduce(0) { $0 + abs($1.0 - $1.1) } }.reduce(0, +) / n
    }

    /// The summary as entries of an epoch's metrics JSON (the run log).
    public var metrics: [String: Double] {
        ["mean_largest_lambda": meanLargestLambda, "mean_sum_lambda_squares": meanSumOfSquares,
         "dominant_item_share": dominantItemShare, "code_spread": spread]
    }

    /// The summary stored in an epoch's metrics, nil when they hold none.
    public init?(metrics: [String: Double]) {
        guard let largest = metrics["mean_largest_lambda"], let squares = metrics["mean_sum_lambda_squares"],
              let share = metrics["dominant_item_share"], let spread = metrics["code_spread"] else { return nil }
        meanLargestLambda = largest; meanSumOfSquares = squares; dominantItemShare = share; self.spread = spread
    }

    /// Collapsed onto one item: at least 90% of the paths favour the same item, with a mean largest weight of 0.8 or more.
    public var collapsed: Bool { dominantItemShare >= 0.9 && meanLargestLambda >= 0.8 }
}
