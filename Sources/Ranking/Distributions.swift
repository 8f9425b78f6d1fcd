#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tail probabilities the tests need, in double precision.
enum Distributions {
    /// Standard normal P(Z <= z), via erf near 0 and erfc in the tails (as the Cephes/xsf `ndtr`).
    static func normalCDF(_ z: Double) -> Double {
        let t = z * 0.5.squareRoot()
        if abs(t) < 0.5.squareRoot() { return 0.5 + 0.5 * erf(t) }
        let tail = 0.5 * erfc(abs(t))
        return t > 0 ? 1 - tail : tail
    }

    static func normalSF(_ z: Double) -> Double { normalCDF(-z) }

    /// Student t with `df` degrees of freedom, P(T > t).
    static func studentSF(_ t: Double, df: Double) -> Double {
        if t.isInfinite { return t > 0 ? 0 : 1 }
        // P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2); both arguments of the incomplete beta are formed directly.
        let t2 = t * t
        let twoSided = regularizedBeta(a: df / 2, b: 0.5, x: df / (df + t2), y: t2 / (df + t2)).p
        return t > 0 ? twoSided / 2 : 1 - twoSided / 2
    }

    /// Regularized incomplete beta I_x(a, b) as `p` and its complement 1 - I_x(a, b) as `q`, where y = 1 - x
    /// is passed separately so that neither loses digits near 0 or 1. Continued fraction (modified Lentz)
    /// on whichever side converges fast, the other side by complement.
    static func regularizedBeta(a: Double, b: Double, x: Double, y: Double) -> (p: Double, q: Double) {
        if x <= 0 { return (0, 1) }
        if y <= 0 { return (1, 0) }
        if x < (a + 1) / (a + b + 2) {
            let p = betaFront(a: a, b: b, x: x, y: y) * betaContinuedFraction(a: a, b: b, x: x)
            return (p, 1 - p)
        }
        let q = betaFront(a: b, b: a, x: y, y: x) * betaContinuedFraction(a: b, b: a, x: y)
        return (1 - q, q)
    }

    /// x^a y^b / (a B(a, b)).
    private static func betaFront(a: Double, b: Double, x: Double, y: Double) -> Double {
        let logBeta = logGamma(a) + logGamma(b) - logGamma(a + b)
        return exp(a * log(x) + b * log(y) - logBeta) / a
    }

    /// log Gamma(v) for v > 0, with the reentrant libm call (plain lgamma writes a global sign).
    private static func logGamma(_ v: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(v, &sign)
    }

    /// The continued fraction of I_x(a, b) / front (Numerical Recipes' betacf form), to full double precision.
    private static func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300, epsilon = 1e-16
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...100_000 {
            let m = Double(m), m2 = 2 * m
            var step = m * (b - m) * x / ((a - 1 + m2) * (a + m2))
            d = 1 + step * d
            if abs(d) < tiny { d = tiny }
            c = 1 + step / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            step = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2))
            d = 1 + step * d
            if abs(d) < tiny { d = tiny }
            c = 1 + step / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }
}
