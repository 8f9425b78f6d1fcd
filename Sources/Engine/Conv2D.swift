import CBLAS

/// Geometry of a 2-D convolution without bias over NCHW tensors; weights are [outC, inC, k, k] (PyTorch layout).
public struct ConvGeometry: Sendable, Hashable {
    public let inChannels, outChannels, kernel, stride, padding, inHeight, inWidth: Int

    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int, inHeight: Int, inWidth: Int) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel
        self.stride = stride; self.padding = padding; self.inHeight = inHeight; self.inWidth = inWidth
    }

    public var outHeight: Int { (inHeight + 2 * padding - kernel) / stride + 1 }
    public var outWidth: Int { (inWidth + 2 * padding - kernel) / stride + 1 }
    var outPlane: Int { outHeight * outWidth }
    var inPlane: Int { inHeight * inWidth }
    /// Rows of the im2col matrix: one per (input channel, kernel row, kernel column).
    var patchSize: Int { inChannels * kernel * kernel }
    public var weightCount: Int { outChannels * patchSize }
    public var inputCount: Int { inChannels * inPlane }
    public var outputCount: Int { outChannels * outPlane }
    /// A 1x1 stride-1 unpadded convolution reads the input directly as its column matrix.
    var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }
    /// Multiply-accumulates per image.
    public var macs: Int { outChannels * patchSize * outPlane }
}

/// Unfolds one image [inC, H, W] into columns [inC*k*k, outH*outW] (zero outside the image).
func im2col(_ image: UnsafePointer<Float>, _ g: ConvGeometry, _ columns: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, k = g.kernel, s = g.stride, p = g.padding
    var row = 0
    for c in 0..<g.inChannels {
        let plane = image + c * g.inPlane
        for ky in 0..<k {
            for kx in 0..<k {
                let dst = columns + row * g.outPlane
                for oy in 0..<oh {
                    let iy = oy * s - p + ky
                    let line = dst + oy * ow
                    if iy < 0 || iy >= g.inHeight {
                        line.update(repeating: 0, count: ow)
                        continue
                    }
                    let src = plane + iy * g.inWidth
                    if s == 1 {
                        // Contiguous run of valid columns, zeros at the borders.
                        let lo = max(0, p - kx), hi = min(ow, g.inWidth + p - kx)
                        guard hi > lo else { line.update(repeating: 0, count: ow); continue }
                        if lo > 0 { line.update(repeating: 0, count: lo) }
                        (line + lo).update(from: src + (lo - p + kx), count: hi - lo)
                        if hi < ow { (line + hi).update(repeating: 0, count: ow - hi) }
                    } else {
                        for ox in 0..<ow {
                            let ix = ox * s - p + kx
                            line[ox] = (ix >= 0 && ix < g.inWidth) ? src[ix] : 0
                        }
                    }
                }
                row += 1
            }
        }
    }
}

/// Folds columns back into one image, adding into `image` (the adjoint of im2col).
func col2imAdd(_ columns: UnsafePointer<Float>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, k = g.kernel, s = g.stride, p = g.padding
    var row = 0
    for c in 0..<g.inChannels {
        let plane = image + c * g.inPlane
        for ky in 0..<k {
            for kx in 0..<k {
                let src = columns + row * g.outPlane
                for oy in 0..<oh {
                    let iy = oy * s - p + ky
                    if iy < 0 || iy >= g.inHeight { continue }
                    let dst = plane + iy * g.inWidth
                    let line = src + oy * ow
                    if s == 1 {
                        let lo = max(0, p - kx), hi = min(ow, g.inWidth + p - kx)
                        if hi > lo {
                            let d = dst + (lo - p + kx)
                            for ox in 0..<(hi - lo) { d[ox] += line[lo + ox] }
                        }
                    } else {
                        for ox in 0..<ow {
                            let ix = ox * s - p + kx
                            if ix >= 0 && ix < g.inWidth { dst[ix] += line[ox] }
                        }
                    }
                }
                row += 1
            }
        }
    }
}

/// output[n] = weight * im2col(input[n]) for every image (added to output with `accumulate`);
/// the batch is split over the engine's workers.
public func conv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          batch: Int, geometry g: ConvGeometry, workspace: Workspace, accumulate: Bool = false) {
    let columns = g.isPointwise ? [] : workspace.reserve("conv.columns", workers: EngineConfig.workers, count: g.patchSize * g.outPlane)
    parallelRanges(batch) { images, worker in
        for n in images {
            let x = input + n * g.inputCount
            var cols = x
            if !g.isPointwise {
                im2col(x, g, columns[worker])
                cols = UnsafePointer(columns[worker])
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(g.outChannels), Int32(g.outPlane), Int32(g.patchSize),
                        1, weight, Int32(g.patchSize), cols, Int32(g.outPlane), accumulate ? 1 : 0, output + n * g.outputCount, Int32(g.outPlane))
        }
    }
}

/// Adds dL/dweight into `weightGrad` and, when `inputGrad` is given, dL/dinput into it.
/// Each worker sums its images' weight gradients privately; the partial sums are added at the end.
public func conv2dBackward(inputGrad: UnsafeMutablePointer<Float>?, weightGrad: UnsafeMutablePointer<Float>,
                           outputGrad: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           batch: Int, geometry g: ConvGeometry, workspace: Workspace) {
    let workers = EngineConfig.workers
    let columnCount = g.patchSize * g.outPlane
    let columns = workspace.reserve("conv.columns", workers: workers, count: columnCount)
    let partials = workspace.reserve("conv.weightGrad", workers: workers, count: g.weightCount)
    var used = [Bool](repeating: false, count: workers)
    used.withUnsafeMutableBufferPointer { used in
        parallelRanges(batch) { images, worker in
            used[worker] = true
            // Worker 0 accumulates straight into weightGrad; the others into private partials.
            let dW = worker == 0 ? weightGrad : partials[worker]
            var beta: Float = worker == 0 ? 1 : 0
            for n in images {
                let x = input + n * g.inputCount, dy = outputGrad + n * g.outputCount
                var cols = x
                if !g.isPointwise {
                    im2col(x, g, columns[worker])
                    cols = UnsafePointer(columns[worker])
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(g.outChannels), Int32(g.patchSize), Int32(g.outPlane),
                            1, dy, Int32(g.outPlane), cols, Int32(g.outPlane), beta, dW, Int32(g.patchSize))
                beta = 1
                guard let dxAll = inputGrad else { continue }
                let dx = dxAll + n * g.inputCount
                if g.isPointwise {
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(g.patchSize), Int32(g.outPlane), Int32(g.outChannels),
                                1, weight, Int32(g.patchSize), dy, Int32(g.outPlane), 1, dx, Int32(g.outPlane))
                } else {
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(g.patchSize), Int32(g.outPlane), Int32(g.outChannels),
                                1, weight, Int32(g.patchSize), dy, Int32(g.outPlane), 0, columns[worker], Int32(g.outPlane))
                    col2imAdd(columns[worker], g, dx)
                }
            }
        }
    }
    for w in 1..<max(workers, 1) where used[w] {
        cblas_saxpy(Int32(g.weightCount), 1, partials[w], 1, weightGrad, 1)
    }
}
