// Throughput of the batch pipeline (crop + flip + normalise into Float32 NCHW) on CIFAR-10.
// usage: swift run -c release datasets-benchmark [CIFAR10_BIN_DIR]   (see benchmarks/datasets.sh)
// Without the real CIFAR-10 it measures 50,000 synthetic 32x32 images (the pipeline cost does not depend
// on pixel values) and says so.
import Support
import Datasets
import Dispatch
import Engine
import Foundation
import SearchSpace

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Busy work standing in for a training step (a step of the real trainer takes ~100+ ms per 256 images).
func spin(_ duration: Double) {
    let end = DispatchTime.now().uptimeNanoseconds + UInt64(duration * 1e9)
    while DispatchTime.now().uptimeNanoseconds < end {}
}

let directory = CommandLine.arguments.dropFirst().first ?? "/tmp/nb201-cifar10/cifar-10-batches-bin"
var train: ImageSet
var source: String
if FileManager.default.fileExists(atPath: directory + "/test_batch.bin") {
    var loaded: ImageSet?
    let t = try seconds { loaded = try CIFAR.cifar10.load(.train, from: directory) }
    train = loaded!
    source = "real CIFAR-10 train (\(directory)); read 50,000 images in \(String(format: "%.2f", t)) s"
} else {
    var random = SeededRandom(seed: 1)
    let pixels = (0..<50_000 * 3072).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    train = ImageSet(shape: .cifar, classCount: 10, pixels: pixels, labels: (0..<50_000).map { Int32($0 % 10) })
    source = "synthetic 50,000 x 3x32x32 (real CIFAR-10 absent at \(directory))"
}
print("data: \(source)")

let subset = Subset(train)
let batchSize = 256
let training = BatchPlan.training(subset, dataset: .cifar10, batchSize: batchSize, seed: 1)
let evaluation = BatchPlan.evaluation(subset, dataset: .cifar10, batchSize: batchSize)

func epochRate(_ plan: BatchPlan, epoch: Int) -> Double {
    var images = 0
    let t = seconds { plan.forEachBatch(epoch: epoch) { images += $0.count } }
    return Double(images) / t
}
_ = epochRate(training, epoch: 99) // warm-up
let trainRates = (0..<3).map { epochRate(training, epoch: $0) }
let evalRates = (0..<3).map { epochRate(evaluation, epoch: $0) }
func report(_ name: String, _ rates: [Double]) {
    print(String(format: "%@: %.0f images/s (best of 3 epochs; runs %@)", name, rates.max()!,
                 rates.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
}
report("train pipeline, one thread (shuffle + crop + flip + normalise), batch 256", trainRates)
report("eval pipeline, one thread (normalise only), batch 256", evalRates)

// End to end: a caller that spends `step` seconds of one core per batch (a stand-in for the training
// step) and takes its batches from the loader, with and without the background prefetch. The overhead
// is what the data pipeline adds to each step.
let step = Double(ProcessInfo.processInfo.environment["STEP_MS"] ?? "20")! / 1000
let steps = 100
for prefetch in [false, true] {
    let loader = BatchLoader(plan: training, prefetch: prefetch)
    _ = loader.next()
    var images = 0
    let total = seconds {
        for _ in 0..<steps {
            spin(step)
            images += loader.next().count
        }
    }
    print(String(format: "loader prefetch=%@: %.3f ms per batch of 256 on top of a %.0f ms step",
                 prefetch ? "on " : "off", (total / Double(steps) - step) * 1e3, step * 1e3))
}
