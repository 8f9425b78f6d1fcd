/// Batch normalisation over NCHW tensors, per channel, statistics over (N, H, W) as in PyTorch's BatchNorm2d.
/// `gamma`/`beta` are nil for a non-affine BN. Training mode normalises with the batch's biased variance;
/// inference mode with given statistics (running or recalibrated).
public struct BatchNormGeometry: Sendable, Hashable {
    public let batch, channels, spatial: Int
    public let epsilon: Float

    public init(batch: Int, channels: Int, spatial: Int, epsilon: Float = 1e-5) {
        self.batch = batch; self.channels = channels; self.spatial = spatial; self.epsilon = epsilon
    }

    public var perChannel: Int { batch * spatial }
    /// Work per channel is too small to be worth a thread below this many elements.
    var minimumChannelsPerWorker: Int { max(1, 16_384 / max(perChannel, 1)) }
}

/// Normalises with the batch's statistics, writing them to `mean` and `variance` (biased) for backward.
/// With `accumulate` the result is added to `output` (a cell sums its edges' outputs this way).
public func batchNormTrainingForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                                     gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                                     mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
                                     geometry g: BatchNormGeometry, accumulate: Bool = false) {
    parallelRanges(g.channels, minimumPerWorker: g.minimumChannelsPerWorker) { channels, _ in
        for c in channels {
            // Two passes: the mean, then squared deviations from it (no cancellation); planes summed in Double.
            var sum = 0.0
            for n in 0..<g.batch { sum += Double(vectorMoments(input + (n * g.channels + c) * g.spatial, center: 0, g.spatial).sum) }
            let m = Float(sum / Double(g.perChannel))
            var squares = 0.0
            for n in 0..<g.batch { squares += Double(vectorMoments(input + (n * g.channels + c) * g.spatial, center: m, g.spatial).squares) }
            mean[c] = m
            variance[c] = Float(squares / Double(g.perChannel))
        }
    }
    batchNormInferenceForward(output: output, input: input, gamma: gamma, beta: beta, mean: mean, variance: variance,
                              geometry: g, accumulate: accumulate)
}

/// y = gamma * (x - mean) / sqrt(variance + eps) + beta with the given statistics (added to y with `accumulate`).
public func batchNormInferenceForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                                      gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                                      mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                                      geometry g: BatchNormGeometry, accumulate: Bool = false) {
    parallelRanges(g.channels, minimumPerWorker: g.minimumChannelsPerWorker) { channels, _ in
        for c in channels {
            let invStd = 1 / (variance[c] + g.epsilon).squareRoot()
            let scale = (gamma?[c] ?? 1) * invStd
            let shift = (beta?[c] ?? 0) - mean[c] * scale
            for n in 0..<g.batch {
                let offset = (n * g.channels + c) * g.spatial
                vectorScaleShift(output + offset, input + offset, scale, shift, g.spatial, accumulate: accumulate)
            }
        }
    }
}

/// Inference BN as an affine map per channel, y = scale * x + shift, so it can be folded into the preceding
/// convolution (weights of output channel c times scale[c], then + shift[c]).
public func batchNormAffine(gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, mean: UnsafePointer<Float>,
                            variance: UnsafePointer<Float>, channels: Int, epsilon: Float = 1e-5,
                            scale: UnsafeMutablePointer<Float>, shift: UnsafeMutablePointer<Float>) {
    for c in 0..<channels {
        let s = (gamma?[c] ?? 1) / (variance[c] + epsilon).squareRoot()
        scale[c] = s
        shift[c] = (beta?[c] ?? 0) - mean[c] * s
    }
}

/// Conv weights [outC, ...] with output channel c multiplied by scale[c] (the conv half of a folded BN).
public func scaleOutputChannels(_ folded: UnsafeMutablePointer<Float>, weight: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                                outChannels: Int, perChannel: Int) {
    for o in 0..<outChannels {
        vectorScaleShift(folded + o * perChannel, weight + o * perChannel, scale[o], 0, perChannel, accumulate: false)
    }
}

/// y[n, c, :] (+)= constant[c] for every image: initialises (or offsets) an output before a GEMM adds into it.
public func channelConstant(_ y: UnsafeMutablePointer<Float>, _ constant: UnsafePointer<Float>, batch: Int, channels: Int,
                            spatial: Int, accumulate: Bool) {
    parallelRanges(batch * channels, minimumPerWorker: max(1, elementwiseGrain / spatial)) { planes, _ in
        for plane in planes {
            let p = y + plane * spatial, v = constant[plane % channels]
            if accumulate {
                vectorScaleShift(p, p, 1, v, spatial, accumulate: false)
            } else {
                p.update(repeating: v, count: spatial)
            }
        }
    }
}

/// Backward of the training-mode forward: adds dL/dinput (or with `accumulate: false` writes it), and adds
/// dL/dgamma, dL/dbeta when affine.
/// dx = invStd / M * (M * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)), dxhat = dy * gamma.
public func batchNormBackward(inputGrad: UnsafeMutablePointer<Float>, gammaGrad: UnsafeMutablePointer<Float>?,
                              betaGrad: UnsafeMutablePointer<Float>?, outputGrad: UnsafePointer<Float>,
                              input: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                              mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, geometry g: BatchNormGeometry,
                              accumulate: Bool = true) {
    parallelRanges(g.channels, minimumPerWorker: g.minimumChannelsPerWorker) { channels, _ in
        for c in channels {
            let m = mean[c]
            let invStd = 1 / (variance[c] + g.epsilon).squareRoot()
            var sumDy = 0.0, sumDyXhat = 0.0
            for n in 0..<g.batch {
                let offset = (n * g.channels + c) * g.spatial
                let (s, sx) = vectorGradMoments(outputGrad + offset, input + offset, center: m, g.spatial)
                sumDy += Double(s)
                sumDyXhat += Double(sx) * Double(invStd)
            }
            gammaGrad?[c] += Float(sumDyXhat)
            betaGrad?[c] += Float(sumDy)
            let scale = (gamma?[c] ?? 1) * invStd
            let count = Double(g.perChannel)
            let meanDy = Float(sumDy / count), meanDyXhat = Float(sumDyXhat / count)
            // dx += scale * (dy - meanDy - (x - m) * invStd * meanDyXhat), vectorised.
            let k = scale * invStd * meanDyXhat
            let s = Lanes(repeating: scale), kk = Lanes(repeating: k), mm = Lanes(repeating: m), md = Lanes(repeating: meanDy)
            for n in 0..<g.batch {
                let offset = (n * g.channels + c) * g.spatial
                let x = input + offset, dy = outputGrad + offset, dx = inputGrad + offset
                var i = 0
                while i + 16 <= g.spatial {
                    let old: Lanes = accumulate ? load(dx + i) : .zero
                    store(old + s * (load(dy + i) - md) - kk * (load(x + i) - mm), dx + i)
                    i += 16
                }
                while i < g.spatial { dx[i] = (accumulate ? dx[i] : 0) + scale * (dy[i] - meanDy) - k * (x[i] - m); i += 1 }
            }
        }
    }
}

/// Running statistics of one BatchNorm layer and their two ways of being set:
/// PyTorch's momentum update after each training batch, or an exact recalibration over many batches.
public final class BatchNormStatistics: @unchecked Sendable {
    public let mean: Tensor
    public let variance: Tensor
    /// PyTorch's convention: running = (1 - momentum) * running + momentum * batch statistic.
    public let momentum: Float
    private var calibration: (count: Double, mean: [Double], m2: [Double])?

    public init(channels: Int, momentum: Float = 0.1) {
        mean = Tensor(shape: [channels])
        variance = Tensor(shape: [channels], values: [Float](repeating: 1, count: channels))
        self.momentum = momentum
    }

    public var channels: Int { mean.count }

    /// Folds one training batch's statistics into the running ones; the running variance is unbiased (n / (n - 1)).
    public func update(batchMean: UnsafePointer<Float>, batchVariance: UnsafePointer<Float>, elementsPerChannel n: Int) {
        if calibration != nil { accumulate(batchMean: batchMean, batchVariance: batchVariance, elementsPerChannel: n); return }
        let unbias = n > 1 ? Float(n) / Float(n - 1) : 1
        for c in 0..<channels {
            mean[c] = (1 - momentum) * mean[c] + momentum * batchMean[c]
            variance[c] = (1 - momentum) * variance[c] + momentum * batchVariance[c] * unbias
        }
    }

    /// Starts an exact recalibration: until `finishCalibration()`, `update` accumulates every batch's
    /// statistics (merged exactly, Chan et al.) instead of the momentum average.
    public func beginCalibration() {
        calibration = (0, [Double](repeating: 0, count: channels), [Double](repeating: 0, count: channels))
    }

    private func accumulate(batchMean: UnsafePointer<Float>, batchVariance: UnsafePointer<Float>, elementsPerChannel n: Int) {
        guard var acc = calibration else { return }
        let nb = Double(n), total = acc.count + nb
        for c in 0..<channels {
            let delta = Double(batchMean[c]) - acc.mean[c]
            acc.mean[c] += delta * nb / total
            acc.m2[c] += Double(batchVariance[c]) * nb + delta * delta * acc.count * nb / total
        }
        acc.count = total
        calibration = acc
    }

    /// Sets the running statistics to the exact mean and variance over all calibration elements. The variance
    /// is the biased (population) one that training-phase normalisation uses, so inference on the calibration
    /// data reproduces the training-phase outputs (PyTorch's running_var is unbiased; with 10 x 64 images of
    /// 32 x 32 pixels the two differ by a factor 1 + 2e-6).
    public func finishCalibration() {
        guard let acc = calibration else { return }
        calibration = nil
        guard acc.count > 0 else { return }
        for c in 0..<channels {
            mean[c] = Float(acc.mean[c])
            variance[c] = Float(acc.m2[c] / acc.count)
        }
    }
}
