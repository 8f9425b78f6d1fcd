/// The alternative hypothesis of a correlation test, as scipy's `alternative`.
public enum Alternative: String, Sendable, CaseIterable {
    case twoSided = "two-sided"
    /// The correlation is negative.
    case less
    /// The correlation is positive.
    case greater
}

/// A correlation coefficient and the p-value of the test of no association.
public struct CorrelationResult: Sendable, Equatable {
    public var statistic: Double
    public var pValue: Double

    public init(statistic: Double, pValue: Double) {
        self.statistic = statistic
        self.pValue = pValue
    }
}

/// The p-value of a statistic whose null distribution is symmetric about 0, given its two tails.
func pValue(_ alternative: Alternative, cdf: (Double) -> Double, sf: (Double) -> Double, at s: Double) -> Double {
    switch alternative {
    case .less: cdf(s)
    case .greater: sf(s)
    case .twoSided: 2 * sf(abs(s))
    }
}
