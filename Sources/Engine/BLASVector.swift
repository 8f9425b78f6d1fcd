import CBLAS

// The vector operations other modules need from BLAS, so that Engine stays the one module that calls it.

/// y[i] += a * x[i] over n floats (saxpy).
public func vectorAddScaled(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ a: Float, _ n: Int) {
    cblas_saxpy(Int32(n), a, x, 1, y, 1)
}

/// The sum of x[i] * y[i] over n floats (sdot).
public func vectorDot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
    cblas_sdot(Int32(n), x, 1, y, 1)
}

/// y[i] = a * x[i] over n floats.
public func vectorScaled(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ a: Float, _ n: Int) {
    for i in 0..<n { y[i] = a * x[i] }
}
