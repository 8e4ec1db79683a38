import ArgumentParser
import Foundation
import PerturbKit

/// `perturb predict`: load a model directory and predict the cells of a split part.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict every perturbed condition of a split part (default: test) from its control cells: "
            + "matched control cells resampled in count space to the predicted mean (or shifted by the predicted "
            + "delta with --cells shift), controls appended. The output is an .h5ad that `perturb eval` and "
            + "cell-eval accept.")

    @Argument(help: "Model directory written by `perturb fit`.")
    var model: String

    @Option(help: "Prepared .h5ad file with the same genes as the model.")
    var data: String

    @Option(help: "Split JSON.")
    var split: String

    @Option(help: "Part to predict: train, val or test.")
    var part = SplitPartName.test

    @Option(help: "Matrix to use instead of X.")
    var layer: String?

    @Option(help: "Seed of the control-cell draw and of the resampling.")
    var seed: UInt64 = 0

    @Option(
        help: ArgumentHelp(
            "How predicted cells are made: resample (count-space thinning and Poisson draws to the predicted "
                + "mean) or shift (each matched control plus the delta, clipped at 0; round 1's generator)."))
    var cells = CellGeneration.resample

    @Option(name: [.short, .customLong("output")], help: "Predicted .h5ad to write.")
    var output: String

    @Option(name: .customLong("real-output"), help: "Also write the part's real cells here (the reference for `perturb eval`).")
    var realOutput: String?

    @OptionGroup var runOptions: RunOptions

    func run() throws {
        try PredictRun(
            model: model, data: data, split: split, part: part, layer: layer, seed: seed, cells: cells,
            output: output, realOutput: realOutput
        )
        .run(log: runOptions.log, progress: runOptions.progress("reading X", unit: "entries"))
    }
}

extension SplitPartName: ExpressibleByArgument {}
extension CellGeneration: ExpressibleByArgument {}
