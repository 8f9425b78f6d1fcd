import Support
import Engine
import Foundation
import SearchSpace
import Testing
@testable import Supernet

/// Finite-difference checks of the merged-weight backward (to every item theta^k and to lambda) and of the
/// simplex-net. Coordinates whose +-step interval straddles a ReLU kink (one-sided differences disagree)
/// say nothing about backward and are skipped; most must be smooth and all smooth ones must agree.
@Suite struct GradientTests {
    let labels: [Int32]
    let images: [Float]
    init() { (images, labels) = Tiny.batch(8, seed: 11) }

    func loss(_ net: KShotSupernet) -> Double {
        let z = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: labels.count) }
        return Tiny.crossEntropy(z, labels, classes: Tiny.shape.classes)
    }

    /// Runs forward + backward at `lambda` and returns dL/dlambda; item gradients land in the items.
    func analytic(_ net: KShotSupernet, lambda: [Float]) -> [Double] {
        net.dictionary.allItems.forEach { $0.grad.zero() }
        net.setPath(Tiny.path, lambda: lambda)
        let z = images.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: labels.count) }
        let dz = Tensor(shape: z.shape)
        _ = labels.withUnsafeBufferPointer {
            softmaxCrossEntropy(logits: z.data, labels: $0.baseAddress!, batch: labels.count, classes: Tiny.shape.classes, logitsGrad: dz.data)
        }
        return net.backward(logitsGrad: dz.data, itemGradients: true, lambdaGradient: true)
    }

    @Test func mergedBackwardToItems() {
        let net = KShotSupernet(shape: Tiny.shape, k: 3, rng: SeededRandom(seed: 5))
        Tiny.diversify(net, seed: 6)
        let lambda: [Float] = [0.5, 0.3, 0.2]
        _ = analytic(net, lambda: lambda)
        let base = loss(net)
        var rng = SeededRandom(seed: 7)
        var worst = 0.0, smooth = 0, kinked = 0
        let step: Float = 1e-3
        for i in net.usedTensors(Tiny.path) {
            for item in 0..<3 {
                let p = net.dictionary.items[item][i]
                for c in rng.sample(min(2, p.count), from: p.count) {
                    let saved = p.value[c]
                    p.value[c] = saved + step; net.setPath(Tiny.path, lambda: lambda); let up = loss(net)
                    p.value[c] = saved - step; net.setPath(Tiny.path, lambda: lambda); let down = loss(net)
                    p.value[c] = saved
                    let forward = (up - base) / Double(step), backward = (base - down) / Double(step)
                    let a = Double(p.grad[c]), tolerance = 2e-3 + 2e-2 * abs(a)
                    if abs(forward - backward) > tolerance / 2 { kinked += 1; continue }
                    smooth += 1
                    worst = max(worst, abs((forward + backward) / 2 - a) / tolerance)
                }
            }
        }
        #expect(smooth > 4 * kinked && smooth > 60, "\(smooth) smooth coordinates, \(kinked) straddle a kink")
        #expect(worst <= 1, "worst finite-difference violation ratio \(worst)")
    }

    /// A change of lambda moves every merged weight at once, so ReLU kinks are crossed at much smaller steps
    /// than for one coordinate: each entry is tried at shrinking steps until its one-sided differences agree.
    @Test func mergedBackwardToLambda() {
        let net = KShotSupernet(shape: Tiny.shape, k: 3, rng: SeededRandom(seed: 8))
        Tiny.diversify(net, seed: 9)
        let lambda: [Float] = [0.2, 0.5, 0.3]
        let dLambda = analytic(net, lambda: lambda)
        net.setPath(Tiny.path, lambda: lambda)
        let base = loss(net)
        var smooth = 0
        for k in 0..<3 {
            let tolerance = 2e-3 + 2e-2 * abs(dLambda[k])
            for step: Float in [1e-3, 3e-4, 1e-4, 3e-5] {
                var l = lambda
                l[k] = lambda[k] + step; net.setPath(Tiny.path, lambda: l); let up = loss(net)
                l[k] = lambda[k] - step; net.setPath(Tiny.path, lambda: l); let down = loss(net)
                let forward = (up - base) / Double(step), backward = (base - down) / Double(step)
                if abs(forward - backward) > tolerance / 2 { continue }
                smooth += 1
                let numeric = (forward + backward) / 2
                #expect(abs(numeric - dLambda[k]) <= tolerance, "dL/dlambda_\(k) at step \(step): numeric \(numeric), analytic \(dLambda[k])")
                break
            }
        }
        #expect(smooth == 3, "only \(smooth) of 3 lambda entries had a kink-free step")
        #expect(dLambda.contains { abs($0) > 1e-2 }, "dL/dlambda is not trivially zero: \(dLambda)")
    }

    /// Tensors of ops the path does not use get no gradient and are not merged.
    @Test func unusedTensorsUntouched() {
        let net = KShotSupernet(shape: Tiny.shape, k: 2, rng: SeededRandom(seed: 10))
        Tiny.diversify(net, seed: 12)
        _ = analytic(net, lambda: [0.6, 0.4])
        let used = Set(net.usedTensors(Tiny.path))
        let unused = net.dictionary.working.indices.filter { !used.contains($0) }
        #expect(!unused.isEmpty && used.count < net.dictionary.working.count)
        for i in unused {
            #expect(net.dictionary.items.allSatisfy { item in item[i].grad.array.allSatisfy { $0 == 0 } })
            // Never merged: still the copy of theta^1 made at construction (a merge would mix in theta^2).
            #expect(net.dictionary.working[i].value.array == net.dictionary.items[0][i].value.array)
        }
    }

    /// Under `.mergedRate` the items' gradients combine (sum_k lambda_k dL/dtheta^k) to exactly dL/dw, so one plain SGD
    /// step moves the merged weight by lr * dL/dw as in one-shot; under `.lambda` by lr * sum lambda^2 * dL/dw.
    @Test(arguments: [ItemGradient.lambda, .mergedRate])
    func itemGradientSetsTheMergedWeightsRate(rule: ItemGradient) {
        let net = KShotSupernet(shape: Tiny.shape, k: 3, rng: SeededRandom(seed: 15))
        Tiny.diversify(net, seed: 16)
        net.itemGradient = rule
        let lambda: [Float] = [0.6, 0.3, 0.1]
        _ = analytic(net, lambda: lambda)
        let used = net.usedTensors(Tiny.path)
        let before = used.map { net.dictionary.working[$0].value.array }
        let gradients = used.map { net.dictionary.working[$0].grad.array }
        let rate: Float = 0.01
        let sgd = SGD(parameters: net.dictionary.allItems, learningRate: rate, momentum: 0, weightDecay: 0, nesterov: false)
        sgd.step()
        net.setPath(Tiny.path, lambda: lambda)
        let factor = rule == .lambda ? lambda.reduce(0) { $0 + $1 * $1 } : 1
        var worst: Float = 0, largest: Float = 0
        for (n, i) in used.enumerated() {
            let after = net.dictionary.working[i].value.array
            for c in after.indices {
                let expected = -rate * factor * gradients[n][c]
                worst = max(worst, abs(after[c] - before[n][c] - expected))
                largest = max(largest, abs(expected))
            }
        }
        #expect(largest > 1e-5 && worst <= 1e-3 * largest, "merged step off by \(worst) (largest step \(largest))")
    }

    /// With `.lambda` scales the merged decay is the gradient of weightDecay / 2 * |w|^2 with respect to every item
    /// (finite differences); `.mergedRate` divides it by sum lambda^2 like the loss gradient.
    @Test func mergedWeightDecayIsTheGradientOfTheMergedNorm() {
        let net = KShotSupernet(shape: Tiny.shape, k: 3, rng: SeededRandom(seed: 17))
        Tiny.diversify(net, seed: 18)
        let lambda: [Float] = [0.5, 0.2, 0.3], decay: Float = 0.1
        let used = net.usedTensors(Tiny.path)
        func penalty() -> Double {
            net.setPath(Tiny.path, lambda: lambda)
            return used.reduce(0.0) { sum, i in
                sum + Double(decay) / 2 * net.dictionary.working[i].value.array.reduce(0.0) { $0 + Double($1) * Double($1) }
            }
        }
        func decayGradients(_ rule: ItemGradient) -> [[[Float]]] {
            net.dictionary.allItems.forEach { $0.grad.zero() }
            net.itemGradient = rule
            net.setPath(Tiny.path, lambda: lambda)
            net.addMergedWeightDecay(decay)
            return net.dictionary.items.map { item in used.map { item[$0].grad.array } }
        }
        let plain = decayGradients(.lambda)
        var rng = SeededRandom(seed: 19)
        var worst = 0.0, checked = 0
        let step: Float = 1e-2
        for item in 0..<3 {
            for (n, i) in used.enumerated() {
                let p = net.dictionary.items[item][i]
                for c in rng.sample(min(3, p.count), from: p.count) {
                    let saved = p.value[c]
                    p.value[c] = saved + step; let up = penalty()
                    p.value[c] = saved - step; let down = penalty()
                    p.value[c] = saved
                    let numeric = (up - down) / (2 * Double(step)), a = Double(plain[item][n][c])
                    worst = max(worst, abs(numeric - a) / (1e-4 + 1e-2 * abs(a)))
                    checked += 1
                }
            }
        }
        #expect(checked > 30 && worst <= 1, "worst finite-difference violation ratio \(worst)")
        let squares = lambda.reduce(0) { $0 + $1 * $1 }
        let scaled = decayGradients(.mergedRate)
        for item in 0..<3 {
            for n in used.indices {
                #expect(zip(scaled[item][n], plain[item][n]).allSatisfy { abs($0 - $1 / squares) <= 1e-6 * (1 + abs($0)) })
            }
        }
    }

    /// The code-balance penalty's gradient agrees with finite differences; it is 0 for codes using the items evenly
    /// on average and log K when every path puts its whole weight on one item.
    @Test func codeBalancePenaltyGradient() {
        var rng = SeededRandom(seed: 20)
        let k = 3, paths = 4
        var lambdas: [Float] = []
        for _ in 0..<paths {
            let raw = (0..<k).map { _ in 0.1 + rng.nextFloat() }
            lambdas += raw.map { $0 / raw.reduce(0, +) }
        }
        let (_, gradient) = codeBalancePenalty(lambdas, k: k)
        let step: Float = 1e-3
        for j in lambdas.indices {
            var l = lambdas
            l[j] = lambdas[j] + step; let up = codeBalancePenalty(l, k: k).value
            l[j] = lambdas[j] - step; let down = codeBalancePenalty(l, k: k).value
            let numeric = (up - down) / (2 * Double(step))
            #expect(abs(numeric - Double(gradient[j])) <= 1e-3 * (1 + abs(numeric)), "entry \(j): numeric \(numeric), analytic \(gradient[j])")
        }
        #expect(abs(codeBalancePenalty([0.7, 0.2, 0.1, 0.1, 0.2, 0.7, 0.2, 0.6, 0.2], k: 3).value) < 1e-6)
        #expect(abs(codeBalancePenalty([1, 0, 0, 1, 0, 0], k: 3).value - Foundation.log(3.0)) < 1e-6)
    }

    @Test func simplexNetGradient() {
        let net = SimplexNet(hidden: 16, k: 4, temperature: 0.7, rng: SeededRandom(seed: 13))
        var rng = SeededRandom(seed: 14)
        let cells = (0..<5).map { _ in try! Cell(ordinal: rng.nextInt(below: Cell.spaceSize)) }
        let encodings = cells.flatMap(\.oneHot)
        let probe = (0..<(5 * 4)).map { _ in rng.nextGaussian() }
        func loss() -> Double { zip(net.forward(encodings), probe).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
        _ = net.forward(encodings)
        net.backward(probe)
        var worst = 0.0, smooth = 0
        let step: Float = 1e-3
        for p in net.parameters {
            for c in rng.sample(min(12, p.count), from: p.count) {
                let saved = p.value[c]
                p.value[c] = saved + step; let up = loss()
                p.value[c] = saved - step; let down = loss()
                p.value[c] = saved
                let numeric = (up - down) / (2 * Double(step)), a = Double(p.grad[c])
                smooth += 1
                worst = max(worst, abs(numeric - a) / (1e-3 + 1e-2 * abs(a)))
            }
        }
        #expect(smooth == 12 * 3 + 4, "checked \(smooth) coordinates")
        #expect(worst <= 1, "worst finite-difference violation ratio \(worst)")
        let lambda = net.forward(encodings)
        for n in 0..<5 { #expect(abs(lambda[(n * 4)..<(n * 4 + 4)].reduce(0, +) - 1) < 1e-5) }
    }
}
