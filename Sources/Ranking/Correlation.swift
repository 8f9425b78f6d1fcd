/// Spearman's rho: Pearson's r of the average ranks (ties share their mean rank), with the p-value of the
/// t statistic r sqrt((n-2) / (1-r^2)) on n-2 degrees of freedom, as scipy.stats.spearmanr.
/// For n = 2 the t distribution has no degrees of freedom and the p-value is NaN (as scipy).
public func spearmanRho(
    _ x: [Double], _ y: [Double], alternative: Alternative = .twoSided, nanPolicy: NaNPolicy = .error
) throws(RankingError) -> CorrelationResult {
    let (x, y) = try checkedPairs(x, y, nanPolicy: nanPolicy)
    return try spearman(OrderKeys(denseRanksOf: x), OrderKeys(denseRanksOf: y), alternative: alternative)
}

func spearman(_ x: OrderKeys, _ y: OrderKeys, alternative: Alternative) throws(RankingError) -> CorrelationResult {
    let rho = try spearmanStatistic(x, y)
    let df = Double(x.keys.count - 2)
    let t = rho * max(0, df / ((rho + 1) * (1 - rho))).squareRoot()
    let p = df == 0 ? .nan : pValue(
        alternative,
        cdf: { 1 - Distributions.studentSF($0, df: df) },
        sf: { Distributions.studentSF($0, df: df) },
        at: t)
    return CorrelationResult(statistic: rho, pValue: p)
}

func spearmanStatistic(_ x: OrderKeys, _ y: OrderKeys) throws(RankingError) -> Double {
    if x.keys.allSatisfy({ $0 == x.keys[0] }) { throw .constantScores(input: "the first vector") }
    if y.keys.allSatisfy({ $0 == y.keys[0] }) { throw .constantScores(input: "the second vector") }
    return rankCorrelation(x.averageRanks(), y.averageRanks())
}

/// Correlation of two rank vectors the way numpy.corrcoef forms it: cov / sqrt(var x) / sqrt(var y), clipped.
/// Ranks are multiples of 1/2, so the centred sums are exact in double precision.
private func rankCorrelation(_ x: [Double], _ y: [Double]) -> Double {
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in x.indices {
        let dx = x[i] - mx, dy = y[i] - my
        sxy += dx * dy; sxx += dx * dx; syy += dy * dy
    }
    let r = (sxy / (n - 1)) / (sxx / (n - 1)).squareRoot() / (syy / (n - 1)).squareRoot()
    return min(1, max(-1, r))
}

/// Pearson's r of the scores with the p-value from its exact null distribution under normality: (r+1)/2 is
/// Beta(n/2-1, n/2-1), as scipy.stats.pearsonr. For n = 2, r is +-1 and the p-value 1.
public func pearsonR(
    _ x: [Double], _ y: [Double], alternative: Alternative = .twoSided, nanPolicy: NaNPolicy = .error
) throws(RankingError) -> CorrelationResult {
    let (x, y) = try checkedPairs(x, y, nanPolicy: nanPolicy)
    let r = try pearsonStatistic(x, y)
    if x.count == 2 { return CorrelationResult(statistic: r.rounded(), pValue: 1) }
    let ab = Double(x.count) / 2 - 1
    func cdf(_ r: Double) -> Double { Distributions.regularizedBeta(a: ab, b: ab, x: (r + 1) / 2, y: (1 - r) / 2).p }
    func sf(_ r: Double) -> Double { Distributions.regularizedBeta(a: ab, b: ab, x: (r + 1) / 2, y: (1 - r) / 2).q }
    return CorrelationResult(statistic: r, pValue: pValue(alternative, cdf: cdf, sf: sf, at: r))
}

/// Pearson's r: centred scores, each scaled by its largest magnitude before the norm so that huge scores
/// do not overflow, then the dot product of the unit vectors, clipped to [-1, 1].
func pearsonStatistic(_ x: [Double], _ y: [Double]) throws(RankingError) -> Double {
    func unitCentred(_ v: [Double], _ name: String) throws(RankingError) -> [Double] {
        let mean = v.reduce(0, +) / Double(v.count)
        let centred = v.map { $0 - mean }
        let scale = centred.reduce(0) { max($0, abs($1)) }
        if v.allSatisfy({ $0 == v[0] }) || scale == 0 { throw .constantScores(input: name) }
        let norm = scale * centred.reduce(0) { $0 + ($1 / scale) * ($1 / scale) }.squareRoot()
        return centred.map { $0 / norm }
    }
    let ux = try unitCentred(x, "the first vector"), uy = try unitCentred(y, "the second vector")
    var r = 0.0
    for i in ux.indices { r += ux[i] * uy[i] }
    return min(1, max(-1, r))
}
