import CBLAS

/// Fully connected layer: y[n, o] = sum_i x[n, i] * W[o, i] + b[o]; W is [out, in] (PyTorch layout).
public func linearForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int) {
    for n in 0..<batch { (output + n * outFeatures).update(from: bias, count: outFeatures) }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), Int32(outFeatures), Int32(inFeatures),
                1, input, Int32(inFeatures), weight, Int32(inFeatures), 1, output, Int32(outFeatures))
}

/// Adds dL/dW = dy^T x, dL/db = sum_n dy and, when given, dL/dx = dy W.
public func linearBackward(inputGrad: UnsafeMutablePointer<Float>?, weightGrad: UnsafeMutablePointer<Float>,
                           biasGrad: UnsafeMutablePointer<Float>, outputGrad: UnsafePointer<Float>,
                           input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           batch: Int, inFeatures: Int, outFeatures: Int) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(outFeatures), Int32(inFeatures), Int32(batch),
                1, outputGrad, Int32(outFeatures), input, Int32(inFeatures), 1, weightGrad, Int32(inFeatures))
    for n in 0..<batch {
        for o in 0..<outFeatures { biasGrad[o] += outputGrad[n * outFeatures + o] }
    }
    if let dx = inputGrad {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(batch), Int32(inFeatures), Int32(outFeatures),
                    1, outputGrad, Int32(outFeatures), weight, Int32(inFeatures), 1, dx, Int32(inFeatures))
    }
}
