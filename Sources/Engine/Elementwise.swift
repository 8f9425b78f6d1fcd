/// Elementwise layers: ReLU, addition, zeros. Backward functions add into their gradient buffers, or with
/// `accumulate: false` write them: the first contribution to a gradient overwrites it, so no buffer is zeroed first.

/// Below this many elements per worker a thread costs more than it saves.
let elementwiseGrain = 1 << 16

public func reluForward(output: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, count: Int) {
    parallelRanges(count, minimumPerWorker: elementwiseGrain) { r, _ in
        vectorRelu(output + r.lowerBound, input + r.lowerBound, r.count)
    }
}

/// dx += dy where the ReLU's output was positive (`output` may be the forward input too: same sign test).
public func reluBackward(inputGrad: UnsafeMutablePointer<Float>, outputGrad: UnsafePointer<Float>,
                         output: UnsafePointer<Float>, count: Int, accumulate: Bool = true) {
    parallelRanges(count, minimumPerWorker: elementwiseGrain) { r, _ in
        vectorReluGrad(inputGrad + r.lowerBound, outputGrad + r.lowerBound, output + r.lowerBound, r.count, accumulate: accumulate)
    }
}

/// output = a + b (output may alias either input).
public func addForward(output: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
    parallelRanges(count, minimumPerWorker: elementwiseGrain) { r, _ in
        for i in r { output[i] = a[i] + b[i] }
    }
}

/// y += x: the forward of accumulating into a sum, and the backward of every addition (each addend's
/// gradient is the sum's gradient).
public func accumulate(into y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
    parallelRanges(count, minimumPerWorker: elementwiseGrain) { r, _ in
        vectorAdd(y + r.lowerBound, x + r.lowerBound, r.count)
    }
}

/// The `none` operation: its output is zeros and it passes no gradient back.
public func zeroForward(output: UnsafeMutablePointer<Float>, count: Int) {
    output.update(repeating: 0, count: count)
}
