// Times supernet training steps on random data: the one-shot (K = 1) step, the K-shot supernet step and the
// simplex-net step separately. Prints one JSON line. Run in release (benchmarks/supernet.sh).
// With --eval 1 it also times one path evaluation (10 x 64 calibration images, 2,000 validation images); with
// --options 1 the K-shot step runs with the options that act in it (merged-rate item gradients, merged weight decay);
// --simplex 0 leaves out the simplex-net timing (so the process's CPU time is the supernet steps', side_by_side.py).
// With --eval-arch ARCHSTR it times only evaluations of that path (a step is one evaluation: recalibration, then 2,000
// validation images) and reports validation images per second, the figure next to PyTorch inference (benchmarks/path_eval.sh).
// usage: supernet-benchmark --k 1 --C 16 --N 5 --batch 64 --steps 5 [--threads 2] [--res 32] [--classes 10] [--eval 0] [--options 0]
//        [--simplex 1] [--eval-arch ARCHSTR] [--eval-batch 250]
import Foundation
import Support
import Datasets
import Engine
import SearchSpace
import Supernet

var options: [String: Int] = ["k": 1, "C": 16, "N": 5, "batch": 64, "steps": 5, "threads": 2, "res": 32, "classes": 10, "eval": 0,
                              "options": 0, "simplex": 1, "eval-batch": 250]
var evalArch: Cell?
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    if flag == "--eval-arch", let arch = arguments.popFirst() {
        evalArch = try Cell(archString: arch)
        continue
    }
    guard flag.hasPrefix("--"), let key = Optional(String(flag.dropFirst(2))), options[key] != nil,
          let value = arguments.popFirst().flatMap({ Int($0) }) else {
        let usage = "options: \(options.keys.sorted().map { "--" + $0 + " N" }.joined(separator: " ")) --eval-arch ARCHSTR"
        FileHandle.standardError.write(Data((flag == "--help" ? usage : "unknown or valueless option \(flag); \(usage)").utf8 + [10]))
        exit(flag == "--help" ? 0 : 2)
    }
    options[key] = value
}
let k = options["k"]!, batch = options["batch"]!, steps = options["steps"]!, res = options["res"]!
EngineConfig.threading = .batchSplit(workers: options["threads"]!)

var random = SeededRandom(seed: 1)
let imageCount = options["eval"]! > 0 || evalArch != nil ? max(batch, 2000) : batch
let images = ImageSet(shape: ImageShape(channels: 3, height: res, width: res), classCount: options["classes"]!,
                      pixels: (0..<(imageCount * 3 * res * res)).map { _ in UInt8(random.nextInt(below: 256)) },
                      labels: (0..<imageCount).map { _ in Int32(random.nextInt(below: options["classes"]!)) })
var config = SupernetConfig(shape: NetworkShape(channels: options["C"]!, cellsPerStage: options["N"]!, classes: options["classes"]!,
                                                resolution: res),
                            k: k, epochs: 1000, warmupEpochs: 0, batchSize: batch, seed: 1)
if options["options"]! > 0 {
    config.itemGradient = .mergedRate
    config.mergedWeightDecay = true
}
let trainer = try SupernetTrainer(config: config, training: Subset(images), dataset: .cifar10)
let data = trainer.plan.batch(BatchPosition(epoch: 0, batch: 0))

func time(_ body: (Int) -> Void) -> Double {
    for i in 0..<2 { body(i) }
    let start = ContinuousClock.now
    for i in 0..<steps { body(i + 2) }
    let d = ContinuousClock.now - start
    return (Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18) / Double(steps)
}

// The evaluator both evaluation timings use: calibration and validation drawn from the random images.
let pathEvaluator = {
    PathEvaluator(trainer: trainer, calibration: Subset(images), validation: Subset(images), dataset: .cifar10,
                  validationBatchSize: options["eval-batch"]!, seed: 1)
}

if let cell = evalArch {
    let evaluator = pathEvaluator()
    let seconds = time { _ in _ = evaluator.evaluate(cell) }
    print("{\"engine\": \"swift-openblas\", \"mode\": \"path-evaluation\", \"k\": \(k), \"C\": \(config.shape.channels), "
          + "\"N\": \(config.shape.cellsPerStage), \"threads\": \(options["threads"]!), \"eval_path_s\": \(seconds), "
          + "\"images_per_step\": \(evaluator.validationCount), \"images_per_s\": \(Double(evaluator.validationCount) / seconds)}")
    exit(0)
}

let supernetSeconds = time { _ = trainer.supernetStep(data, iteration: $0) }
var line = "{\"engine\": \"swift-openblas\", \"k\": \(k), \"C\": \(config.shape.channels), \"N\": \(config.shape.cellsPerStage), "
line += "\"batch\": \(batch), \"threads\": \(options["threads"]!), \"options\": \(options["options"]!), \"supernet_step_s\": \(supernetSeconds), "
line += "\"images_per_s\": \(Double(batch) / supernetSeconds)"
if k > 1 && options["simplex"]! > 0 {
    let simplexSeconds = time { _ = trainer.simplexStep(data, iteration: $0) }
    line += ", \"simplex_step_s\": \(simplexSeconds), \"simplex_paths\": \(config.simplexPaths)"
}
if options["eval"]! > 0 {
    let evaluator = pathEvaluator()
    var paths = SeededRandom(seed: 2)
    let evalSeconds = time { _ in _ = evaluator.evaluate(try! Cell(ordinal: paths.nextInt(below: Cell.spaceSize))) }
    line += ", \"eval_path_s\": \(evalSeconds)"
}
print(line + "}")
