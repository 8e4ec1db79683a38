import ArgumentParser
import Foundation
import PerturbKit

/// `perturb inspect FILE`: shape, scale, obs columns and perturbation groups.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize an .h5ad file: shape, sparsity, value scale, obs columns, perturbations and controls.")

    @Argument(help: "The .h5ad file.")
    var file: String

    @OptionGroup var dataset: DatasetOptions

    @Option(help: "Read this layer instead of X.")
    var layer: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @OptionGroup var runOptions: RunOptions

    func run() throws {
        let summary = try DatasetSummary.inspect(
            path: file, columns: dataset.columns, layer: layer,
            progress: runOptions.progress(
                "reading \(layer.map { "layers/\($0)" } ?? "X")",
                unit: "entries"))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.rendered())
        }
    }
}
