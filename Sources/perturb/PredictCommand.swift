import ArgumentParser
import Foundation
import PerturbKit

/// `perturb predict`: load a model directory and predict the cells of a split part.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict every perturbed condition of a split part (default: test) from its control cells: "
            + "matched controls shifted by the predicted delta, clipped at 0, controls appended. The output is "
            + "an .h5ad that `perturb eval` and cell-eval accept.")

    @Argument(help: "Model directory written by `perturb fit`.")
    var model: String

    @Option(help: "Prepared .h5ad file with the same genes as the model.")
    var data: String

    @Option(help: "Split JSON.")
    var split: String

    @Option(help: "Part to predict: train, val or test.")
    var part = "test"

    @Option(help: "Matrix to use instead of X.")
    var layer: String?

    @Option(help: "Seed of the control-cell draw.")
    var seed: UInt64 = 0

    @Option(name: [.short, .customLong("output")], help: "Predicted .h5ad to write.")
    var output: String

    @Option(name: .customLong("real-output"), help: "Also write the part's real cells here (the reference for `perturb eval`).")
    var realOutput: String?

    @OptionGroup var runOptions: RunOptions

    func run() throws {
        let started = Date()
        let directory = try ModelDirectory(reading: model)
        let hash = BackgroundHash(path: data)
        let parts = try SplitParts.load(path: data, splitPath: split, layer: layer,
                                        progress: runOptions.progress("reading X", unit: "entries"))
        try directory.checkGenes(parts.train.genes, dataPath: data)
        if let fitHash = directory.provenance.splitHash, fitHash != parts.split.contentHash {
            note("warning: the model was fit on split \(fitHash), not on \(parts.split.contentHash ?? "this unhashed split"); "
                 + "its test conditions may have been seen in training", quiet: runOptions.quiet)
        }
        let target = try parts.part(part)
        let predicted = try ForwardFitting.predict(try directory.model(), part: target, columns: parts.columns, seed: seed)
        try predicted.write(to: output)
        var outputs = [output]
        if let realOutput {
            try ForwardFitting.reference(target, columns: parts.columns).write(to: realOutput)
            outputs.append(realOutput)
        }
        try Manifest(command: CommandLine.arguments, inputs: [data: try hash.value()], splitHash: parts.split.contentHash,
                     seed: seed, wallSeconds: Date().timeIntervalSince(started), outputs: outputs)
            .write(to: output + ".manifest.json")
        note("wrote \(outputs.joined(separator: ", ")): \(predicted.cellCount) cells from \(directory.modelName)", quiet: runOptions.quiet)
    }
}
