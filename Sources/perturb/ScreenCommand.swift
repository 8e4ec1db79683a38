import ArgumentParser
import Foundation
import PerturbKit

/// `perturb screen`: an in-silico screen with a fitted forward model.
struct ScreenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen",
        abstract: "Rank candidate perturbations by how close a fitted forward model brings a source state (e.g. "
            + "disease cells) to a target state (e.g. healthy cells): predicted perturbed source = source mean + "
            + "predicted delta, clipped at 0. Writes a ranked CSV with distance, improvement, predicted delta norm "
            + "and the genes moved most.")

    @Argument(help: "Model directory written by `perturb fit`.")
    var model: String

    @Option(help: "Source state: an .h5ad file (all its cells, or --from-group).")
    var from: String

    @Option(name: .customLong("from-group"), help: "Use only the source cells whose --group-col holds this label.")
    var fromGroup: String?

    @Option(help: "Target state: an .h5ad file (all its cells, or --to-group).")
    var to: String

    @Option(name: .customLong("to-group"), help: "Use only the target cells whose --group-col holds this label.")
    var toGroup: String?

    @Option(name: .customLong("group-col"), help: "obs column for --from-group / --to-group.")
    var groupColumn = DatasetColumns.defaultPerturbation

    @Option(
        help:
            "File of candidate perturbations, one label per line (default: every training perturbation and every gene the model can represent)."
    )
    var candidates: String?

    @Flag(help: "Also screen every pair of the single candidates.")
    var pairs = false

    @Option(help: "Distance to the target: l2, l1, or cosine (1 − cosine of the predicted and the needed change).")
    var distance = ScreenDistance.l2

    @Option(name: .customLong("cell-type"), help: "Cell type the model predicts in (when it was fit with one).")
    var cellType: String?

    @Option(help: "Batch the model predicts in (when it was fit with one).")
    var batch: String?

    @Option(help: "Rows to print.")
    var top = 10

    @Option(name: [.short, .customLong("output")], help: "Ranked CSV to write.")
    var output: String

    @OptionGroup var runOptions: RunOptions

    func run() throws {
        let (screen, hits) = try ScreenRun(
            model: model, from: from, fromGroup: fromGroup, to: to, toGroup: toGroup,
            groupColumn: groupColumn, candidates: candidates, pairs: pairs, distance: distance,
            cellType: cellType, batch: batch, output: output
        ).run(log: runOptions.log)
        print(String(format: "unperturbed source → target distance: %.4f", screen.baselineDistance))
        for (i, hit) in hits.prefix(top).enumerated() {
            print(
                String(format: "%3d  %@  distance %.4f  |delta| %.3f  ", i + 1, hit.perturbation, hit.distance, hit.deltaNorm)
                    + hit.topGenes.prefix(3).map { "\($0.gene) " + String(format: "%+.2f", $0.change) }.joined(separator: ", "))
        }
        note("wrote \(output)", quiet: runOptions.quiet)
    }
}

extension ScreenDistance: ExpressibleByArgument {}
