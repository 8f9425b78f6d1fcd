/// Why a ranking statistic could not be computed: each case names the input and what was expected.
public enum RankingError: Error, Equatable, CustomStringConvertible {
    /// A statistic needs at least `needed` paired scores.
    case tooFewItems(count: Int, needed: Int)
    /// The two score vectors must pair item by item.
    case lengthMismatch(first: Int, second: Int)
    /// A score is NaN and the policy is `.error`.
    case nanScore(input: String, index: Int)
    /// Every score of `input` is equal, so no order exists and the correlation is undefined.
    case constantScores(input: String)
    /// The exact null distribution of Kendall's tau assumes no ties.
    case exactPValueWithTies
    /// k must lie in 1...count.
    case invalidK(k: Int, count: Int)
    /// A confidence level must lie strictly between 0 and 1.
    case invalidLevel(Double)
    /// Bootstrap resamples or permutations must be positive.
    case invalidRepetitions(name: String, count: Int)
    /// Rounding to `decimals` must keep the scale 10^decimals finite and exact (0...22).
    case invalidDecimals(Int)

    public var description: String {
        switch self {
        case let .tooFewItems(count, needed):
            "ranking needs at least \(needed) paired scores, got \(count)"
        case let .lengthMismatch(first, second):
            "score vectors differ in length: \(first) vs \(second) (one score per architecture in each)"
        case let .nanScore(input, index):
            "score \(index) of \(input) is NaN (drop it first, or pass nanPolicy: .omitPairs)"
        case let .constantScores(input):
            "all scores of \(input) are equal: no ranking, the correlation is undefined"
        case .exactPValueWithTies:
            "the exact p-value of Kendall's tau assumes no ties; use method .asymptotic or .auto"
        case let .invalidK(k, count):
            "k = \(k) is outside 1...\(count)"
        case let .invalidLevel(level):
            "confidence level \(level) is not strictly between 0 and 1"
        case let .invalidRepetitions(name, count):
            "\(name) = \(count); it must be at least 1"
        case let .invalidDecimals(decimals):
            "cannot round to \(decimals) decimals; use 0...22"
        }
    }
}

/// What to do with NaN scores. The default everywhere is `.error`: a NaN usually means a failed evaluation,
/// which should be seen rather than silently ranked.
public enum NaNPolicy: Sendable {
    case error
    /// Drop every item whose score is NaN in either vector, then compute on the rest.
    case omitPairs
}

/// The paired scores after the length, NaN and size checks every statistic shares.
func checkedPairs(
    _ x: [Double], _ y: [Double], nanPolicy: NaNPolicy
) throws(RankingError) -> (x: [Double], y: [Double]) {
    let checked = try checkedColumns([x, y], names: ["the first vector", "the second vector"], nanPolicy: nanPolicy)
    return (checked[0], checked[1])
}

/// Columns of scores for the same items, checked for equal length, NaN (per `nanPolicy`) and at least 2 items.
func checkedColumns(
    _ columns: [[Double]], names: [String], nanPolicy: NaNPolicy
) throws(RankingError) -> [[Double]] {
    let count = columns[0].count
    for column in columns where column.count != count {
        throw .lengthMismatch(first: count, second: column.count)
    }
    var columns = columns
    for (c, column) in columns.enumerated() {
        guard let i = column.firstIndex(where: \.isNaN) else { continue }
        if nanPolicy == .error { throw .nanScore(input: names[c], index: i) }
        let keep = (0..<count).filter { i in !columns.contains { $0[i].isNaN } }
        columns = columns.map { column in keep.map { column[$0] } }
        break
    }
    guard columns[0].count >= 2 else { throw .tooFewItems(count: columns[0].count, needed: 2) }
    return columns
}
