import Engine

/// The K-shot dictionary: K copies theta^1..theta^K ("items") of every weight tensor, and the working tensors
/// the layers compute with, w = sum_k lambda_k theta^k (KSHOT.md).
/// With K = 1 and `separateWorking` false the working tensors ARE theta^1: no merge, no scatter, which is the
/// classic one-shot supernet; `separateWorking` true runs the K-path math instead (to prove the two agree).
public final class WeightDictionary {
    public let working: [Parameter]
    /// items[k][i] is theta^(k+1) of working[i].
    public let items: [[Parameter]]
    public var k: Int { items.count }
    /// Whether w is a merge of the items (false only for the one-shot K = 1 path).
    public let merges: Bool

    init(working: [Parameter], k: Int, separateWorking: Bool) {
        precondition(k >= 1, "K must be at least 1, got \(k)")
        self.working = working
        merges = k > 1 || separateWorking
        if merges {
            items = (0..<k).map { item in
                working.map { w in
                    let p = Parameter(name: "\(w.name)#\(item)", shape: w.value.shape)
                    p.value.copy(from: w.value)
                    return p
                }
            }
        } else {
            items = [working]
        }
    }

    /// Every item tensor, item-major (what the supernet's optimiser updates and checkpoints store).
    public var allItems: [Parameter] { items.flatMap { $0 } }

    /// w_i = sum_k lambda_k theta^k_i for the tensors `used` (others keep stale values and must not be read).
    func merge(_ used: [Int], lambda: [Float]) {
        guard merges else { return }
        precondition(lambda.count == k, "lambda has \(lambda.count) entries for K = \(k)")
        for i in used {
            let w = working[i].value
            // The first term is written, not added: w = lambda_1 theta^1 exactly, so lambda = [1] copies.
            vectorScaled(w.data, items[0][i].value.data, lambda[0], w.count)
            for item in 1..<k where lambda[item] != 0 {
                vectorAddScaled(w.data, items[item][i].value.data, lambda[item], w.count)
            }
        }
    }

    /// Before a backward pass: zero dL/dw of the used tensors (the layers add into them).
    func clearWorkingGradients(_ used: [Int]) {
        guard merges else { return }
        for i in used { working[i].grad.zero() }
    }

    /// After a backward pass: dL/dtheta^k += itemScales[k] dL/dw (nil: no item gradients), and returns
    /// dL/dlambda_k = sum over used tensors of <theta^k, dL/dw> (Double accumulation across tensors).
    @discardableResult
    func scatter(_ used: [Int], itemScales: [Float]?, lambdaGradient: Bool) -> [Double] {
        var dLambda = [Double](repeating: 0, count: k)
        for i in used {
            let g = working[i].grad
            for item in 0..<k {
                let theta = items[item][i]
                if merges, let itemScales, itemScales[item] != 0 {
                    vectorAddScaled(theta.grad.data, g.data, itemScales[item], g.count)
                }
                if lambdaGradient { dLambda[item] += Double(vectorDot(theta.value.data, g.data, g.count)) }
            }
        }
        return dLambda
    }

    /// dL/dtheta^k += itemScales[k] * weightDecay * w for the used tensors: the decay of the merged weight w, shared out
    /// like its loss gradient (with scales lambda_k it is the gradient of weightDecay / 2 * |w|^2), so an item decays as
    /// much as the path leans on it instead of in full whatever its lambda_k.
    func addMergedDecay(_ used: [Int], itemScales: [Float], weightDecay: Float) {
        guard merges else { return }
        for i in used {
            let w = working[i].value
            for item in 0..<k where itemScales[item] != 0 {
                vectorAddScaled(items[item][i].grad.data, w.data, itemScales[item] * weightDecay, w.count)
            }
        }
    }
}

/// How dL/dw of a merged weight is shared out to its K items.
public enum ItemGradient: String, Codable, Hashable, Sendable, CaseIterable {
    /// dL/dtheta^k = lambda_k dL/dw, the true gradient. An SGD step then moves the merged weight by
    /// lr * sum_k lambda_k^2 * dL/dw: lr / K with even codes, so K > 1 learns slower than one-shot and a code collapsed
    /// onto one item is rewarded with the full rate.
    case lambda
    /// lambda_k / sum_j lambda_j^2 * dL/dw: the merged weight moves by lr * dL/dw whatever the code, the one-shot rate.
    /// A per-path preconditioner: a global learning-rate factor could match the one-shot rate for one code only.
    case mergedRate = "merged-rate"

    /// The factor of dL/dw in each item's gradient for the code `lambda`.
    public func itemScales(_ lambda: [Float]) -> [Float] {
        switch self {
        case .lambda: return lambda
        case .mergedRate:
            let squares = lambda.reduce(Float(0)) { $0 + $1 * $1 }
            return lambda.map { $0 / squares }
        }
    }
}
