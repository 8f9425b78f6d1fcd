/// Average pools over NCHW planes. Every (image, channel) plane is independent, so `planes` = N * C.

/// 3x3 average pool, stride 1, padding 1, padding not counted in the divisor (count_include_pad=False).
/// Computed as separable box sums (3 horizontal, then 3 vertical), whose inner loops vectorise: a window-by-window
/// loop spent ~24% of a C=8 N=1 supernet step here.
public func avgPool3x3Forward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                              planes: Int, height h: Int, width w: Int) {
    let sizes = windowSizes(height: h, width: w)
    sizes.withUnsafeBufferPointer { sizes in
        parallelRanges(planes, minimumPerWorker: max(1, elementwiseGrain / (h * w))) { r, _ in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: h * w) { rows in
                for plane in r {
                    boxSum3x3(output + plane * h * w, input + plane * h * w, height: h, width: w, rows: rows.baseAddress!,
                              accumulate: false, dividedBy: sizes.baseAddress!)
                }
            }
        }
    }
}

/// Each output's window size (the divisor with count_include_pad=False) over an h x w plane, as floats: computed
/// once per call, so the division runs as a vector loop (per element, the integer window arithmetic kept the
/// division pass scalar: about half of the pool's time in a path evaluation).
private func windowSizes(height h: Int, width w: Int) -> [Float] {
    var sizes = [Float](repeating: 0, count: h * w)
    for i in 0..<h {
        for j in 0..<w { sizes[i * w + j] = Float(windowExtent(i, h) * windowExtent(j, w)) }
    }
    return sizes
}

/// The window relation is symmetric (input a is in the window of output i exactly when i is in the window of a),
/// so dL/dx is the box sum of dL/dy divided by each output's window size. Adds into `inputGrad` (writes it with
/// `accumulate: false`).
public func avgPool3x3Backward(inputGrad: UnsafeMutablePointer<Float>, outputGrad: UnsafePointer<Float>,
                               planes: Int, height h: Int, width w: Int, accumulate: Bool = true) {
    let sizes = windowSizes(height: h, width: w)
    sizes.withUnsafeBufferPointer { sizes in
        parallelRanges(planes, minimumPerWorker: max(1, elementwiseGrain / (h * w))) { r, _ in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * h * w) { scratch in
                let scaled = scratch.baseAddress!, rows = scaled + h * w
                for plane in r {
                    let dy = outputGrad + plane * h * w
                    for k in 0..<(h * w) { scaled[k] = dy[k] / sizes[k] }
                    boxSum3x3(inputGrad + plane * h * w, scaled, height: h, width: w, rows: rows, accumulate: accumulate)
                }
            }
        }
    }
}

/// How many of the positions i-1, i, i+1 lie in 0..<n.
@inline(__always)
private func windowExtent(_ i: Int, _ n: Int) -> Int { min(i + 1, n - 1) - max(i - 1, 0) + 1 }

/// out (+)= the sum of each 3x3 window of the h x w plane x, zero outside; `rows` is h * w floats of scratch.
/// With `divisors` (h * w, only without `accumulate`) each output row is divided by them while it is in cache.
@inline(__always)
private func boxSum3x3(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, height h: Int, width w: Int,
                       rows: UnsafeMutablePointer<Float>, accumulate: Bool, dividedBy divisors: UnsafePointer<Float>? = nil) {
    for i in 0..<h {
        let src = x + i * w, dst = rows + i * w
        if w == 1 { dst[0] = src[0]; continue }
        dst[0] = src[0] + src[1]
        for j in 1..<(w - 1) { dst[j] = src[j - 1] + src[j] + src[j + 1] }
        dst[w - 1] = src[w - 2] + src[w - 1]
    }
    for i in 0..<h {
        let middle = rows + i * w, o = out + i * w
        let above = i > 0 ? rows + (i - 1) * w : nil, below = i < h - 1 ? rows + (i + 1) * w : nil
        switch (above, below, accumulate) {
        case let (a?, b?, false): for j in 0..<w { o[j] = a[j] + middle[j] + b[j] }
        case let (a?, b?, true): for j in 0..<w { o[j] += a[j] + middle[j] + b[j] }
        case let (a?, nil, false): for j in 0..<w { o[j] = a[j] + middle[j] }
        case let (a?, nil, true): for j in 0..<w { o[j] += a[j] + middle[j] }
        case let (nil, b?, false): for j in 0..<w { o[j] = middle[j] + b[j] }
        case let (nil, b?, true): for j in 0..<w { o[j] += middle[j] + b[j] }
        case (nil, nil, false): for j in 0..<w { o[j] = middle[j] }
        case (nil, nil, true): for j in 0..<w { o[j] += middle[j] }
        }
        if let d = divisors.map({ $0 + i * w }) { for j in 0..<w { o[j] /= d[j] } }
    }
}

/// 2x2 average pool, stride 2 (output floor(h/2) x floor(w/2), as PyTorch's default ceil_mode=False).
public func avgPool2x2Forward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                              planes: Int, height h: Int, width w: Int) {
    let oh = h / 2, ow = w / 2
    parallelRanges(planes, minimumPerWorker: max(1, elementwiseGrain / (h * w))) { r, _ in
        for plane in r {
            let x = input + plane * h * w, y = output + plane * oh * ow
            for i in 0..<oh {
                for j in 0..<ow {
                    let p = x + 2 * i * w + 2 * j
                    y[i * ow + j] = (p[0] + p[1] + p[w] + p[w + 1]) * 0.25
                }
            }
        }
    }
}

/// Adds into `inputGrad`, or with `accumulate: false` writes it (an odd last row or column, outside every window, gets 0).
public func avgPool2x2Backward(inputGrad: UnsafeMutablePointer<Float>, outputGrad: UnsafePointer<Float>,
                               planes: Int, height h: Int, width w: Int, accumulate: Bool = true) {
    let oh = h / 2, ow = w / 2
    parallelRanges(planes, minimumPerWorker: max(1, elementwiseGrain / (h * w))) { r, _ in
        for plane in r {
            let dx = inputGrad + plane * h * w, dy = outputGrad + plane * oh * ow
            if !accumulate {
                if h % 2 == 1 || w % 2 == 1 { dx.update(repeating: 0, count: h * w) }
                for i in 0..<oh {
                    for j in 0..<ow {
                        let g = dy[i * ow + j] * 0.25
                        let p = dx + 2 * i * w + 2 * j
                        p[0] = g; p[1] = g; p[w] = g; p[w + 1] = g
                    }
                }
                continue
            }
            for i in 0..<oh {
                for j in 0..<ow {
                    let g = dy[i * ow + j] * 0.25
                    let p = dx + 2 * i * w + 2 * j
                    p[0] += g; p[1] += g; p[w] += g; p[w + 1] += g
                }
            }
        }
    }
}

/// Global average pool: [N, C, H, W] -> [N, C].
public func globalAvgPoolForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, planes: Int, spatial: Int) {
    for plane in 0..<planes {
        let x = input + plane * spatial
        var s: Float = 0
        for i in 0..<spatial { s += x[i] }
        output[plane] = s / Float(spatial)
    }
}

public func globalAvgPoolBackward(inputGrad: UnsafeMutablePointer<Float>, outputGrad: UnsafePointer<Float>, planes: Int, spatial: Int,
                                  accumulate: Bool = true) {
    for plane in 0..<planes {
        let g = outputGrad[plane] / Float(spatial)
        let dx = inputGrad + plane * spatial
        if accumulate { for i in 0..<spatial { dx[i] += g } } else { dx.update(repeating: g, count: spatial) }
    }
}
