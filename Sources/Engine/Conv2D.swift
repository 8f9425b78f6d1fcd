import CBLAS
import CKernels

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

    /// The kernels this convolution runs on: stride-1 and stride-2 k x k convolutions (k > 1) whose output rows are
    /// whole 8-float vectors run direct (`EngineConfig.convolutionKernels`; the backward of stride 2 stays on im2col
    /// + sgemm), the rest as im2col + sgemm. Pointwise ones stay on sgemm, which reads their input in place and beat
    /// the direct kernel at 32 and 64 channels (162 vs 134, 185 vs 158 GFLOP/s forward on 2 threads). Stride 2 direct
    /// replaced im2col + sgemm, ~17 % of a C=8 N=1 path evaluation for ~6 % of its multiply-adds.
    public var kernels: ConvolutionKernels {
        (stride == 1 || stride == 2) && kernel > 1 && kernel <= 7 && outWidth % 8 == 0 ? EngineConfig.convolutionKernels : .im2col
    }
    /// Images per call of the direct 3x3 weight-gradient kernel (0: im2col + sgemm instead). Each call sums its
    /// lanes once at the end, so small planes are grouped to about 256 pixels per call (AVX2, 8x8 planes, one
    /// core: 78 GFLOP/s two at a time, 87 four at a time, 69 sixteen at a time, when they no longer fit in L2).
    var weightGradientGroup: Int { kernels != .im2col && stride == 1 && kernel == 3 && padding == 1 ? max(1, 256 / outPlane) : 0 }
    /// The direct kernels' input plane: the rows and columns of the zero-bordered image that some window reads (at
    /// stride 1 all of it, at stride 2 without a last row or column no window reaches).
    var paddedWidth: Int { (outWidth - 1) * stride + kernel }
    var paddedHeight: Int { (outHeight - 1) * stride + kernel }
    var paddedInputCount: Int { inChannels * paddedHeight * paddedWidth }

    /// Output rows per column tile: the im2col block of a tile (patchSize x rows*outWidth floats) stays within
    /// about 256 KB, so im2col writes it and sgemm reads it while it is still in L2.
    var tileRows: Int { max(1, min(outHeight, (1 << 16) / max(1, patchSize * outWidth))) }

    /// The convolution whose forward is this one's input gradient, for stride 1: channels swapped, kernel
    /// flipped, padding k-1-p (a "full" correlation of the output gradient).
    var transposed: ConvGeometry {
        ConvGeometry(inChannels: outChannels, outChannels: inChannels, kernel: kernel, padding: kernel - 1 - padding,
                     inHeight: outHeight, inWidth: outWidth)
    }
}

/// Copies one image [inC, H, W] into [inC, H+2p, W+2p] with a zero border, the direct kernel's input.
func padImage(_ image: UnsafePointer<Float>, _ g: ConvGeometry, _ padded: UnsafeMutablePointer<Float>) {
    let p = g.padding, w = g.inWidth, pw = g.paddedWidth
    var dst = padded
    for c in 0..<g.inChannels {
        dst.update(repeating: 0, count: p * pw + p) // top border rows and the first row's left border
        dst += p * pw + p
        let plane = image + c * g.inPlane
        for y in 0..<g.inHeight {
            vectorCopy(dst, plane + y * w, w)
            // This row's right border and the next row's left border are adjacent.
            (dst + w).update(repeating: 0, count: y + 1 < g.inHeight ? 2 * p : p)
            dst += pw
        }
        dst -= p
        dst.update(repeating: 0, count: p * pw) // bottom border rows
        dst += p * pw
    }
}

/// The stride-2 direct kernel's input: per channel the `paddedHeight` x `paddedWidth` corner of the zero-bordered
/// image, each row stored as its even columns, then its odd ones (a window's 8 neighbouring outputs then read 8
/// consecutive floats per tap).
func padImageSplittingColumns(_ image: UnsafePointer<Float>, _ g: ConvGeometry, _ padded: UnsafeMutablePointer<Float>) {
    let p = g.padding, width = g.paddedWidth, evenColumns = (width + 1) / 2
    var row = padded
    for c in 0..<g.inChannels {
        let plane = image + c * g.inPlane
        for py in 0..<g.paddedHeight {
            let y = py - p
            if y < 0 || y >= g.inHeight {
                row.update(repeating: 0, count: width)
            } else {
                let line = plane + y * g.inWidth
                for px in 0..<width {
                    let x = px - p
                    row[(px & 1) * evenColumns + (px >> 1)] = x >= 0 && x < g.inWidth ? line[x] : 0
                }
            }
            row += width
        }
    }
}

/// Unfolds output rows `rows` of one image [inC, H, W] into columns [inC*k*k, rows.count*outW]
/// (zero outside the image).
func im2col(_ image: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, _ columns: UnsafeMutablePointer<Float>) {
    let ow = g.outWidth, k = g.kernel, s = g.stride, p = g.padding
    let tileCount = rows.count * ow
    if s == 1 && ow == g.inWidth {
        im2colSamePadding(image, g, rows: rows, columns)
        return
    }
    var row = 0
    for c in 0..<g.inChannels {
        let plane = image + c * g.inPlane
        for ky in 0..<k {
            for kx in 0..<k {
                let dst = columns + row * tileCount
                // Valid output columns for this kx: ix = ox*s - p + kx in [0, inWidth).
                let lo = min(ow, max(0, (p - kx + s - 1) / s)), hi = max(lo, min(ow, (g.inWidth - 1 + p - kx) / s + 1))
                for oy in rows {
                    let iy = oy * s - p + ky
                    let line = dst + (oy - rows.lowerBound) * ow
                    if iy < 0 || iy >= g.inHeight {
                        line.update(repeating: 0, count: ow)
                        continue
                    }
                    if lo > 0 { line.update(repeating: 0, count: lo) }
                    let src = plane + iy * g.inWidth - p + kx
                    if s == 1 {
                        vectorCopy(line + lo, src + lo, hi - lo)
                    } else {
                        for ox in lo..<hi { line[ox] = src[ox * s] }
                    }
                    if hi < ow { (line + hi).update(repeating: 0, count: ow - hi) }
                }
                row += 1
            }
        }
    }
}

/// im2col for stride-1 "same" convolutions (output width = input width): each (channel, ky, kx) block is the
/// plane shifted by (ky - p) rows and (kx - p) columns, so it is one contiguous copy of the valid rows followed
/// by zeroing the few columns that wrapped around a row edge.
private func im2colSamePadding(_ image: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, _ columns: UnsafeMutablePointer<Float>) {
    let w = g.inWidth, h = g.inHeight, k = g.kernel, p = g.padding
    let tileCount = rows.count * w
    var row = 0
    for c in 0..<g.inChannels {
        let plane = image + c * g.inPlane
        for ky in 0..<k {
            let first = max(rows.lowerBound, p - ky), last = max(first, min(rows.upperBound, h + p - ky))
            for kx in 0..<k {
                let dst = columns + row * tileCount
                let shift = kx - p
                let head = (first - rows.lowerBound) * w, valid = (last - first) * w
                if head > 0 { dst.update(repeating: 0, count: head) }
                if valid > 0 {
                    // Skip the one end element that would read outside the plane; it is a border zero anyway.
                    let a = max(0, -shift), b = valid - max(0, shift)
                    (dst + head + a).update(from: plane + (first + ky - p) * w + shift + a, count: b - a)
                    for y in 0..<(last - first) {
                        let line = dst + head + y * w
                        if shift < 0 { line.update(repeating: 0, count: -shift) }
                        if shift > 0 { (line + w - shift).update(repeating: 0, count: shift) }
                    }
                }
                let tail = tileCount - head - valid
                if tail > 0 { (dst + head + valid).update(repeating: 0, count: tail) }
                row += 1
            }
        }
    }
}

/// Folds a full column matrix [inC*k*k, outH*outW] back into one image, adding into it (the adjoint of im2col).
/// Used only for strided convolutions; stride-1 input gradients run as a transposed convolution instead.
func col2imAdd(_ columns: UnsafePointer<Float>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, k = g.kernel, s = g.stride, p = g.padding
    var row = 0
    for c in 0..<g.inChannels {
        let plane = image + c * g.inPlane
        for ky in 0..<k {
            for kx in 0..<k {
                let src = columns + row * g.outPlane
                let lo = min(ow, max(0, (p - kx + s - 1) / s)), hi = max(lo, min(ow, (g.inWidth - 1 + p - kx) / s + 1))
                for oy in 0..<oh {
                    let iy = oy * s - p + ky
                    if iy < 0 || iy >= g.inHeight { continue }
                    let dst = plane + iy * g.inWidth - p + kx, line = src + oy * ow
                    for ox in lo..<hi { dst[ox * s] += line[ox] }
                }
                row += 1
            }
        }
    }
}

/// Calls `body(rows, columnOffset, columnCount)` for each tile of output rows.
@inline(__always)
private func forEachTile(_ g: ConvGeometry, _ body: (Range<Int>, Int, Int) -> Void) {
    var y = 0
    while y < g.outHeight {
        let rows = y..<min(g.outHeight, y + g.tileRows)
        body(rows, y * g.outWidth, rows.count * g.outWidth)
        y = rows.upperBound
    }
}

/// output[n] (+)= weight * input[n] for one image: direct, or im2col + sgemm tile by tile.
/// `kernels` is `g.kernels` read on the calling thread (the limit is task-local, workers do not see it);
/// `scratch` holds `convolutionScratch(g, kernels)` floats.
private func convolveImage(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ g: ConvGeometry, _ kernels: ConvolutionKernels,
                           _ y: UnsafeMutablePointer<Float>, beta: Float, scratch columns: UnsafeMutablePointer<Float>) {
    if kernels != .im2col {
        let source: UnsafePointer<Float>
        if g.stride == 2 {
            padImageSplittingColumns(x, g, columns); source = UnsafePointer(columns)
        } else if g.padding == 0 {
            source = x
        } else {
            padImage(x, g, columns); source = UnsafePointer(columns)
        }
        nb_direct_conv_image(Int32(kernels.rawValue), source, Int32(g.inChannels), Int32(g.paddedWidth), weight, Int32(g.outChannels), Int32(g.kernel),
                             Int32(g.stride), y, Int32(g.outHeight), Int32(g.outWidth), beta != 0)
        return
    }
    let m = Int32(g.outChannels), k = Int32(g.patchSize), ldc = Int32(g.outPlane)
    if g.isPointwise {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, ldc, k, 1, weight, k, x, ldc, beta, y, ldc)
        return
    }
    forEachTile(g) { rows, offset, count in
        im2col(x, g, rows: rows, columns)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, Int32(count), k, 1, weight, k, columns, Int32(count), beta, y + offset, ldc)
    }
}

/// Floats per worker for one im2col tile of `g`.
private func columnTileCount(_ g: ConvGeometry) -> Int { g.patchSize * g.tileRows * g.outWidth }

/// Floats per worker `convolveImage` needs for `g`: the padded image or one column tile.
private func convolutionScratch(_ g: ConvGeometry, _ kernels: ConvolutionKernels) -> Int {
    kernels != .im2col ? g.paddedInputCount : columnTileCount(g)
}

/// output[n] = conv(input[n], weight) for every image (added to output with `accumulate`), on `g.kernels`;
/// the batch is split over the engine's workers.
public func conv2dForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          batch: Int, geometry g: ConvGeometry, workspace: Workspace, accumulate: Bool = false) {
    let workers = EngineConfig.workers
    let kernels = g.kernels
    let columns = workspace.reserve("conv.columns", workers: workers, count: convolutionScratch(g, kernels))
    parallelRanges(batch, workers: workers) { images, worker in
        for n in images {
            convolveImage(input + n * g.inputCount, weight, g, kernels, output + n * g.outputCount, beta: accumulate ? 1 : 0, scratch: columns[worker])
        }
    }
}

/// The batch is cut into this many fixed chunks for the weight gradient, whatever the worker count: each chunk
/// sums its images in order and the chunk sums are added in chunk order, so a run gives the same bits on 1, 2
/// or 8 workers (and resuming on another thread count does not change its trajectory). It also caps the
/// parallelism of the weight gradient at 8 workers.
let weightGradientChunks = 8

/// Adds dL/dweight into `weightGrad` and, when `inputGrad` is given, dL/dinput into it (`accumulateInput: false` writes it).
/// Chunk 0 accumulates straight into `weightGrad`, the others into private partial sums added at the end.
/// Stride-1 input gradients are the transposed convolution of the output gradient (flipped kernel): it runs on the
/// direct kernels where the shape allows, and under im2col it keeps the GEMM's inner dimension at outC*k*k instead
/// of outC and avoids a scatter (col2im). Direct 3x3 weight gradients take `weightGradientGroup` images per call.
public func conv2dBackward(inputGrad: UnsafeMutablePointer<Float>?, weightGrad: UnsafeMutablePointer<Float>,
                           outputGrad: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           batch: Int, geometry g: ConvGeometry, workspace: Workspace, accumulateInput: Bool = true) {
    let chunks = min(batch, weightGradientChunks)
    let workers = min(EngineConfig.workers, max(chunks, 1))
    let transposed = g.transposed
    let viaTransposed = g.stride == 1 && !g.isPointwise
    let kernels = g.kernels, group = g.weightGradientGroup, transposedKernels = transposed.kernels
    let weightScratch = group > 0 ? group * g.paddedInputCount : columnTileCount(g)
    let imagesPerStep = max(group, 1) // a direct weight-gradient group, or one image at a time
    let columnCount = inputGrad == nil || viaTransposed || g.isPointwise
        ? max(weightScratch, viaTransposed ? convolutionScratch(transposed, transposedKernels) : 0)
        : g.patchSize * g.outPlane
    let columns = workspace.reserve("conv.columns", workers: workers, count: columnCount)
    let partials = workspace.reserve("conv.weightGrad", workers: max(chunks - 1, 0), count: g.weightCount) // chunks 1...
    // Flipped, channel-swapped weights [inC, outC, k, k] for the transposed convolution.
    let flipped = workspace.scratch("conv.flippedWeight", worker: 0, count: viaTransposed ? g.weightCount : 1)
    if viaTransposed && inputGrad != nil {
        let kk = g.kernel * g.kernel
        for o in 0..<g.outChannels {
            for i in 0..<g.inChannels {
                for t in 0..<kk { flipped[(i * g.outChannels + o) * kk + (kk - 1 - t)] = weight[(o * g.inChannels + i) * kk + t] }
            }
        }
    }
    let m = Int32(g.outChannels), patch = Int32(g.patchSize), plane = Int32(g.outPlane)
    parallelRanges(chunks, workers: workers) { chunkRange, worker in
        let cols = columns[worker]
        for chunk in chunkRange {
            let dW = chunk == 0 ? weightGrad : partials[chunk - 1]
            if chunk > 0 { dW.update(repeating: 0, count: g.weightCount) }
            let images = (batch * chunk / chunks)..<(batch * (chunk + 1) / chunks)
            for first in stride(from: images.lowerBound, to: images.upperBound, by: imagesPerStep) {
                let members = first..<min(images.upperBound, first + imagesPerStep)
                if group > 0 {
                    for n in members { padImage(input + n * g.inputCount, g, cols + (n - first) * g.paddedInputCount) }
                    nb_direct_conv3x3_weight_grad(Int32(kernels.rawValue), cols, g.paddedInputCount, outputGrad + first * g.outputCount, g.outputCount,
                                                  Int32(members.count), Int32(g.inChannels), m, dW,
                                                  Int32(g.outHeight), Int32(g.outWidth))
                }
                for n in members {
                    let x = input + n * g.inputCount, dy = outputGrad + n * g.outputCount
                    if g.isPointwise {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, patch, plane, 1, dy, plane, x, plane, 1, dW, patch)
                    } else if group == 0 {
                        forEachTile(g) { rows, offset, count in
                            im2col(x, g, rows: rows, cols)
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, patch, Int32(count), 1, dy + offset, plane,
                                        cols, Int32(count), 1, dW, patch)
                        }
                    }
                    guard let dxAll = inputGrad else { continue }
                    let dx = dxAll + n * g.inputCount
                    let beta: Float = accumulateInput ? 1 : 0
                    if g.isPointwise {
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, patch, plane, m, 1, weight, patch, dy, plane, beta, dx, plane)
                    } else if viaTransposed {
                        convolveImage(dy, flipped, transposed, transposedKernels, dx, beta: beta, scratch: cols)
                    } else {
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, patch, plane, m, 1, weight, patch, dy, plane, 0, cols, plane)
                        if !accumulateInput { dx.update(repeating: 0, count: g.inputCount) }
                        col2imAdd(cols, g, dx)
                    }
                }
            }
        }
    }
    for chunk in 1..<max(chunks, 1) {
        cblas_saxpy(Int32(g.weightCount), 1, partials[chunk - 1], 1, weightGrad, 1)
    }
}
