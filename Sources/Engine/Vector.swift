/// Explicit 16-wide loops for the memory-bound kernels: the compiler does not vectorise these pointer loops
/// on its own (possible aliasing, a branch per element), and each runs over every activation several times
/// per step. Each has a scalar tail for the last count % 16 elements.
typealias Lanes = SIMD16<Float>

@inline(__always) func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
@inline(__always) func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self) }

/// y[i] += x[i]
@inline(__always) func vectorAdd(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 16 <= n { store(load(y + i) + load(x + i), y + i); i += 16 }
    while i < n { y[i] += x[i]; i += 1 }
}

/// y[i] = x[i] (short runs, where memmove's call overhead dominates)
@inline(__always) func vectorCopy(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 16 <= n { store(load(x + i), y + i); i += 16 }
    while i < n { y[i] = x[i]; i += 1 }
}

/// y[i] = max(x[i], 0)
@inline(__always) func vectorRelu(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 16 <= n { let v = load(x + i); store(v.replacing(with: 0, where: v .< 0), y + i); i += 16 }
    while i < n { y[i] = max(x[i], 0); i += 1 }
}

/// dx[i] += out[i] > 0 ? dy[i] : 0 (with `accumulate: false`, dx[i] = ...)
@inline(__always) func vectorReluGrad(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ out: UnsafePointer<Float>, _ n: Int,
                                      accumulate: Bool) {
    var i = 0
    if accumulate {
        while i + 16 <= n {
            store(load(dx + i) + load(dy + i).replacing(with: 0, where: load(out + i) .<= 0), dx + i)
            i += 16
        }
        while i < n { if out[i] > 0 { dx[i] += dy[i] }; i += 1 }
    } else {
        while i + 16 <= n {
            store(load(dy + i).replacing(with: 0, where: load(out + i) .<= 0), dx + i)
            i += 16
        }
        while i < n { dx[i] = out[i] > 0 ? dy[i] : 0; i += 1 }
    }
}

/// y[i] (+)= x[i] * scale + shift
@inline(__always) func vectorScaleShift(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ scale: Float, _ shift: Float,
                                        _ n: Int, accumulate: Bool) {
    var i = 0
    let s = Lanes(repeating: scale), b = Lanes(repeating: shift)
    if accumulate {
        while i + 16 <= n { store(load(y + i) + load(x + i) * s + b, y + i); i += 16 }
        while i < n { y[i] += x[i] * scale + shift; i += 1 }
    } else {
        while i + 16 <= n { store(load(x + i) * s + b, y + i); i += 16 }
        while i < n { y[i] = x[i] * scale + shift; i += 1 }
    }
}

/// (sum x[i], sum (x[i] - center)^2)
@inline(__always) func vectorMoments(_ x: UnsafePointer<Float>, center: Float, _ n: Int) -> (sum: Float, squares: Float) {
    var s = Lanes.zero, q = Lanes.zero
    let c = Lanes(repeating: center)
    var i = 0
    while i + 16 <= n { let v = load(x + i); s += v; let d = v - c; q += d * d; i += 16 }
    var sum = s.sum(), squares = q.sum()
    while i < n { sum += x[i]; squares += (x[i] - center) * (x[i] - center); i += 1 }
    return (sum, squares)
}

/// (sum dy[i], sum dy[i] * (x[i] - center))
@inline(__always) func vectorGradMoments(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, center: Float, _ n: Int) -> (sum: Float, dot: Float) {
    var s = Lanes.zero, d = Lanes.zero
    let c = Lanes(repeating: center)
    var i = 0
    while i + 16 <= n { let g = load(dy + i); s += g; d += g * (load(x + i) - c); i += 16 }
    var sum = s.sum(), dot = d.sum()
    while i < n { sum += dy[i]; dot += dy[i] * (x[i] - center); i += 1 }
    return (sum, dot)
}
