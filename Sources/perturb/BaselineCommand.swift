import ArgumentParser
import Foundation
import PerturbKit

/// `perturb baseline`: cell-eval's cell-mean baseline predictions.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Build the cell-mean baseline: every perturbation predicted as the mean of the per-label means of "
            + "the training data (as cell-eval baseline), with the training control cells appended.")

    @Option(help: "Training .h5ad file.")
    var adata: String

    @Option(help: "CSV with the cells to predict per perturbation (columns: the --pert-col and --counts-col).")
    var counts: String?

    @Option(name: .customLong("counts-col"), help: "Count column of --counts.")
    var countsColumn = "n_cells"

    @Option(name: [.short, .customLong("output")], help: "Output .h5ad.")
    var output = "baseline.h5ad"

    @Flag(name: .customLong("allow-discrete"), help: "Keep integer data as is instead of normalizing it.")
    var allowDiscrete = false

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var runOptions: RunOptions

    func run() throws {
        var train = try PerturbationDataset.load(
            path: adata, columns: dataset.columns,
            progress: runOptions.progress("reading X", unit: "entries"))
        if train.scale == .counts && !allowDiscrete { train = train.normalizedLog1p() }
        var cells: [String: Int]? = nil
        if let counts {
            let table = try CSVTable(contentsOf: counts)
            let label = try table.column(dataset.perturbationColumn), n = try table.column(countsColumn)
            var map: [String: Int] = [:]
            for (r, row) in table.rows.enumerated() where row[label] != dataset.control {
                guard let value = Int(row[n]), value >= 0 else {
                    throw EvaluationError.invalidCell(
                        path: counts, field: countsColumn, row: r + 2, value: row[n],
                        expected: "a non-negative integer")
                }
                map[row[label]] = value
            }
            cells = map
        }
        let result = try CellMeanBaseline.build(
            train, perturbationColumn: dataset.perturbationColumn,
            cellsPerPerturbation: cells)
        try result.write(to: output)
        if !runOptions.quiet {
            FileHandle.standardError.write(Data("perturb baseline: \(result.cellCount) cells written to \(output)\n".utf8))
        }
    }
}
