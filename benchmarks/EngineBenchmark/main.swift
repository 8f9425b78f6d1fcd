// engine-benchmark: training / inference throughput of the NB201 network on the CPU engine, and the rate of
// each of its convolutions next to a bare sgemm of the same shape. Prints one JSON line per measurement.
// usage: engine-benchmark [--mode train|eval|kernels] [--arch STR] [--C 16] [--N 5] [--batch 256] [--steps 5]
//                    [--res 32] [--classes 10] [--threading split|blas] [--threads 2] [--kernels avx512|avx2|im2col]
// benchmarks/engine_vs_torch.sh runs it side by side with the PyTorch peer.
import Support
import CBLAS
import Dispatch
import Engine
import Networks
import SearchSpace

struct Options {
    var mode = "train"
    var arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
    var channels = 16, cells = 5, batch = 256, steps = 5, resolution = 32, classes = 10, threads = 2
    var threading = "split"
    /// The best convolution kernels train/eval may use (the CPU's best by default).
    var kernels = ConvolutionKernels.avx512

    init(_ args: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fatalError("option \(args[i - 1]) needs a value") }
            return args[i]
        }
        func int(_ s: String) -> Int {
            guard let v = Int(s) else { fatalError("expected an integer, got '\(s)'") }
            return v
        }
        while i < args.count {
            switch args[i] {
            case "--mode": mode = value()
            case "--arch": arch = value()
            case "--C": channels = int(value())
            case "--N": cells = int(value())
            case "--batch": batch = int(value())
            case "--steps": steps = int(value())
            case "--res": resolution = int(value())
            case "--classes": classes = int(value())
            case "--threads": threads = int(value())
            case "--threading": threading = value()
            case "--kernels":
                let name = value()
                guard let k = ConvolutionKernels.allCases.first(where: { "\($0)" == name }) else {
                    fatalError("--kernels is one of \(ConvolutionKernels.allCases.map { "\($0)" }), got \(name)")
                }
                kernels = k
            default: fatalError("unknown option \(args[i]); see the usage line in benchmarks/EngineBenchmark/main.swift")
            }
            i += 1
        }
    }
}

func seconds(_ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

let o = Options(Array(CommandLine.arguments.dropFirst()))
switch o.threading {
case "split": EngineConfig.threading = .batchSplit(workers: o.threads)
case "blas": EngineConfig.threading = .blasThreads(o.threads)
default: fatalError("--threading is split or blas, got \(o.threading)")
}
let cell: Cell
do { cell = try Cell(archString: o.arch) } catch { fatalError("\(error)") }
let shape = NetworkShape(channels: o.channels, cellsPerStage: o.cells, classes: o.classes, resolution: o.resolution)
var rng = SeededRandom(seed: 0)
let net = NB201Network(cell: cell, shape: shape, rng: rng.fork("init"))
let images = (0..<(o.batch * net.inputCountPerImage)).map { _ in rng.nextGaussian() }
let labels = (0..<o.batch).map { _ in Int32(rng.nextInt(below: o.classes)) }
let header = "\"engine\": \"swift-openblas\", \"threading\": \"\(o.threading)\", \"threads\": \(o.threads), \"kernels\": \"\(EngineConfig.$convolutionKernelLimit.withValue(o.kernels) { EngineConfig.convolutionKernels })\", \"C\": \(o.channels), \"N\": \(o.cells), \"batch\": \(o.batch)"

switch o.mode {
case "train", "eval":
    let trainer = Trainer(network: net, totalIterations: 1000)
    func step() {
        if o.mode == "train" { _ = trainer.trainStep(images: images, labels: labels) } else { _ = trainer.evaluate(images: images, labels: labels) }
    }
    let t = EngineConfig.$convolutionKernelLimit.withValue(o.kernels) {
        step()  // warm-up: allocates activations and workspace
        return seconds { for _ in 0..<o.steps { step() } }
    }
    print("{\(header), \"mode\": \"\(o.mode)\", \"images_per_s\": \(Double(o.steps * o.batch) / t), \"params\": \(net.parameterCount)}")
case "kernels":
    // Each distinct convolution of the network: forward, backward (input + weight) and the bare sgemm of the
    // forward's shape over the same batch, in GFLOP/s (2 * MACs per second).
    let ws = Workspace()
    var seen = Set<ConvGeometry>()
    var geometries: [ConvGeometry] = []
    var side = o.resolution, width = o.channels
    geometries.append(ConvGeometry(inChannels: 3, outChannels: width, kernel: 3, padding: 1, inHeight: side, inWidth: side))
    for stage in 0..<3 {
        if stage > 0 {
            geometries.append(ConvGeometry(inChannels: width, outChannels: 2 * width, kernel: 3, stride: 2, padding: 1, inHeight: side, inWidth: side))
            side /= 2; width *= 2
            geometries.append(ConvGeometry(inChannels: width, outChannels: width, kernel: 3, padding: 1, inHeight: side, inWidth: side))
        }
        for op in Set(cell.ops) { if let k = op.convKernel { geometries.append(ConvGeometry(inChannels: width, outChannels: width, kernel: k, padding: (k - 1) / 2, inHeight: side, inWidth: side)) } }
    }
    for g in geometries where seen.insert(g).inserted {
        let x = Tensor(shape: [o.batch, g.inChannels, g.inHeight, g.inWidth]), w = Tensor(shape: [g.outChannels, g.inChannels, g.kernel, g.kernel])
        for i in 0..<x.count { x[i] = rng.nextGaussian() }
        for i in 0..<w.count { w[i] = rng.nextGaussian() }
        let y = Tensor(shape: [o.batch, g.outChannels, g.outHeight, g.outWidth]), dx = Tensor(shape: x.shape), dw = Tensor(shape: w.shape)
        let flops = 2 * Double(g.macs) * Double(o.batch) * Double(o.steps)
        /// Seconds for `steps` forwards and `steps` backwards, after one warm-up forward.
        func timeConvolution() -> (forward: Double, backward: Double) {
            conv2dForward(output: y.data, input: x.data, weight: w.data, batch: o.batch, geometry: g, workspace: ws)
            let tf = seconds { for _ in 0..<o.steps { conv2dForward(output: y.data, input: x.data, weight: w.data, batch: o.batch, geometry: g, workspace: ws) } }
            let tb = seconds { for _ in 0..<o.steps { conv2dBackward(inputGrad: dx.data, weightGrad: dw.data, outputGrad: y.data, input: x.data, weight: w.data, batch: o.batch, geometry: g, workspace: ws) } }
            return (tf, tb)
        }
        // The engine's choice (direct kernels where the shape allows), then im2col + sgemm for every shape.
        let (tf, tb) = timeConvolution()
        let (tfIm2col, tbIm2col) = EngineConfig.$convolutionKernelLimit.withValue(.im2col) { timeConvolution() }
        // The forward's GEMM alone, one per image on a ready-made column matrix, split like the engine splits.
        let rows = g.inChannels * g.kernel * g.kernel, cols = g.outHeight * g.outWidth
        let colMatrix = Tensor(shape: [EngineConfig.workers, rows * cols])
        for i in 0..<colMatrix.count { colMatrix[i] = rng.nextGaussian() }
        let tg = seconds {
            for _ in 0..<o.steps {
                parallelRanges(o.batch) { range, worker in
                    for n in range {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(g.outChannels), Int32(cols), Int32(rows), 1, w.data, Int32(rows),
                                    colMatrix.data + worker * rows * cols, Int32(cols), 0, y.data + n * g.outChannels * cols, Int32(cols))
                    }
                }
            }
        }
        print("{\(header), \"mode\": \"kernels\", \"conv\": \"\(g.inChannels)->\(g.outChannels) k\(g.kernel) s\(g.stride) \(g.inHeight)x\(g.inWidth)\", \"gemm_MxNxK\": \"\(g.outChannels)x\(cols)x\(rows)\", \"conv_kernels\": \"\(g.kernels)\", \"forward_gflops\": \(flops / tf / 1e9), \"backward_gflops\": \(2 * flops / tb / 1e9), \"im2col_forward_gflops\": \(flops / tfIm2col / 1e9), \"im2col_backward_gflops\": \(2 * flops / tbIm2col / 1e9), \"sgemm_gflops\": \(flops / tg / 1e9)}")
    }
default:
    fatalError("--mode is train, eval or kernels, got \(o.mode)")
}
