import ArgumentParser
import SearchSpace

struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Exact parameter count and FLOPs (benchmark convention) of the NB201 network for a cell."
    )

    @Argument(help: "Arch string or 6 op codes (a benchmark index needs the database: use `nb201 query`).")
    var arch: String
    @Option(name: .customLong("C"), help: "Channels of the first stage.") var channels = 16
    @Option(name: .customLong("N"), help: "Cells per stage.") var cells = 5
    @Option(help: "Classifier classes.") var classes = 10
    @Option(help: "Input side in pixels (32 CIFAR, 16 ImageNet16-120).") var resolution = 32
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try requireAtLeast(1, ["--C": channels, "--N": cells, "--classes": classes, "--resolution": resolution])
        let cell = try parseCellLiteral(arch)
        let cost = Cost(cell: cell, shape: NetworkShape(channels: channels, cellsPerStage: cells, classes: classes, resolution: resolution))
        if json {
            print(#"{"arch":"\#(cell.archString)","parameters":\#(cost.parameters),"flops":\#(cost.flops),"params_m":\#(cost.parametersMillions),"flops_m":\#(cost.flopsMillions)}"#)
        } else {
            print("arch        \(cell.archString)")
            print("parameters  \(cost.parameters)  (\(cost.parametersMillions) M)")
            print("flops       \(cost.flops)  (\(cost.flopsMillions) M)")
        }
    }
}

/// An arch string or op codes, without the database.
func parseCellLiteral(_ text: String) throws -> Cell {
    do {
        if text.contains("|") { return try Cell(archString: text) }
        return try Cell(opCodes: text)
    } catch {
        throw ValidationError(error.description)
    }
}
