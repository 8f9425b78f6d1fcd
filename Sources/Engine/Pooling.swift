/// Average pools over NCHW planes. Every (image, channel) plane is independent, so `planes` = N * C.

/// 3x3 average pool, stride 1, padding 1, padding not counted in the divisor (count_include_pad=False).
public func avgPool3x3Forward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                              planes: Int, height h: Int, width w: Int) {
    parallelRanges(planes, minimumPerWorker: max(1, elementwiseGrain / (h * w))) { r, _ in
        for plane in r {
            let x = input + plane * h * w, y = output + plane * h * w
            for i in 0..<h {
                let i0 = max(i - 1, 0), i1 = min(i + 1, h - 1)
                for j in 0..<w {
                    let j0 = max(j - 1, 0), j1 = min(j + 1, w - 1)
                    var s: Float = 0
                    for a in i0...i1 { for b in j0...j1 { s += x[a * w + b] } }
                    y[i * w + j] = s / Float((i1 - i0 + 1) * (j1 - j0 + 1))
                }
            }
        }
    }
}

public func avgPool3x3Backward(inputGrad: UnsafeMutablePointer<Float>, outputGrad: UnsafePointer<Float>,
                               planes: Int, height h: Int, width w: Int) {
    parallelRanges(planes, minimumPerWorker: max(1, elementwiseGrain / (h * w))) { r, _ in
        for plane in r {
            let dx = inputGrad + plane * h * w, dy = outputGrad + plane * h * w
            for i in 0..<h {
                let i0 = max(i - 1, 0), i1 = min(i + 1, h - 1)
                for j in 0..<w {
                    let j0 = max(j - 1, 0), j1 = min(j + 1, w - 1)
                    let g = dy[i * w + j] / Float((i1 - i0 + 1) * (j1 - j0 + 1))
                    for a in i0...i1 { for b in j0...j1 { dx[a * w + b] += g } }
                }
            }
        }
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

public func avgPool2x2Backward(inputGrad: UnsafeMutablePointer<Float>, outputGrad: UnsafePointer<Float>,
                               planes: Int, height h: Int, width w: Int) {
    let oh = h / 2, ow = w / 2
    parallelRanges(planes, minimumPerWorker: max(1, elementwiseGrain / (h * w))) { r, _ in
        for plane in r {
            let dx = inputGrad + plane * h * w, dy = outputGrad + plane * oh * ow
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

public func globalAvgPoolBackward(inputGrad: UnsafeMutablePointer<Float>, outputGrad: UnsafePointer<Float>, planes: Int, spatial: Int) {
    for plane in 0..<planes {
        let g = outputGrad[plane] / Float(spatial)
        let dx = inputGrad + plane * spatial
        for i in 0..<spatial { dx[i] += g }
    }
}
