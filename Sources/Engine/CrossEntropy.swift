/// Softmax cross-entropy averaged over the batch (PyTorch's CrossEntropyLoss, reduction "mean").

public struct CrossEntropyResult: Sendable {
    /// Mean loss over the batch.
    public let loss: Float
    /// Images whose largest logit is their label (ties go to the lowest class index, like argmax).
    public let correct: Int
}

/// Computes the loss and, when `logitsGrad` is given, writes dL/dlogits = (softmax - onehot) / batch into it.
public func softmaxCrossEntropy(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
                                logitsGrad: UnsafeMutablePointer<Float>?) -> CrossEntropyResult {
    var total = 0.0
    var correct = 0
    for n in 0..<batch {
        let z = logits + n * classes
        let label = Int(labels[n])
        precondition((0..<classes).contains(label), "label \(label) of image \(n) is outside 0..<\(classes)")
        var best = 0
        for k in 1..<classes where z[k] > z[best] { best = k }
        if best == label { correct += 1 }
        let zmax = z[best]
        var sum: Double = 0
        for k in 0..<classes { sum += Double(_exp(z[k] - zmax)) }
        total += _logd(sum) - Double(z[label] - zmax)
        if let g = logitsGrad {
            let row = g + n * classes
            for k in 0..<classes {
                let p = Float(Double(_exp(z[k] - zmax)) / sum)
                row[k] = (p - (k == label ? 1 : 0)) / Float(batch)
            }
        }
    }
    return CrossEntropyResult(loss: Float(total / Double(batch)), correct: correct)
}
