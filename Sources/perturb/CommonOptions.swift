import Foundation
import ArgumentParser
import PerturbKit

/// The shared vocabulary for describing a dataset's columns.
struct DatasetOptions: ParsableArguments {
    @Option(name: .customLong("pert-col"), help: "obs column holding the perturbation label.")
    var perturbationColumn = DatasetColumns.defaultPerturbation

    @Option(help: "Label of control cells in the perturbation column.")
    var control = DatasetColumns.defaultControl

    @Option(name: .customLong("celltype-col"), help: "obs column holding the cell type.")
    var cellTypeColumn: String?

    @Option(name: .customLong("batch-col"), help: "obs column holding the batch.")
    var batchColumn: String?

    @Option(
        name: .customLong("combo-sep"),
        help: "Separator of combination members besides '+', one character (e.g. ';' for guide lists 'A;B;non-targeting').")
    var comboSeparator: String?

    @Option(
        name: .customLong("gene-names-col"),
        help: "var column with the gene names perturbation targets use (e.g. 'symbol' when var is indexed by Ensembl IDs).")
    var geneNamesColumn: String?

    func validate() throws {
        if let comboSeparator, comboSeparator.count != 1 || comboSeparator.first!.isWhitespace {
            throw ValidationError("--combo-sep: expected one non-space character, got '\(comboSeparator)'")
        }
    }

    var columns: DatasetColumns {
        DatasetColumns(
            perturbation: perturbationColumn, control: control, cellType: cellTypeColumn, batch: batchColumn,
            comboSeparator: comboSeparator?.first, geneNamesColumn: geneNamesColumn)
    }
}

/// Options every long-running command takes.
struct RunOptions: ParsableArguments {
    @Flag(help: "Print no progress on stderr.")
    var quiet = false

    // Unconditional, so `--threads -1` reaches `validate` instead of being read as an option named `-1`.
    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).")
    var threads: Int?

    var threadCount: Int { max(1, threads ?? defaultThreadCount()) }

    func validate() throws {
        if let threads, !(1...4096).contains(threads) {
            throw ValidationError("--threads must be a number of worker threads from 1 to 4096, not \(threads)")
        }
    }

    /// Stage messages and neural-model training progress (epoch, loss, validation score, cells/s, ETA) to
    /// stderr, or nil when quiet.
    var log: (@Sendable (String) -> Void)? {
        if quiet { return nil }
        return { @Sendable text in note(text, quiet: false) }
    }

    /// A progress reporter for `what`, or nil when quiet.
    func progress(_ what: String, unit: String) -> ProgressHandler? {
        quiet ? nil : ProgressLine(label: what, unit: unit).handler
    }
}

/// A comma-separated option value as its trimmed items (`"a, b"` → `["a", "b"]`).
func commaList(_ text: String) -> [String] {
    text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
}

/// The listing of a model registry (`perturb models`, `fit --list`, `reverse --list`): each model's name and
/// summary, whether it uses the run's seed, then its hyperparameters indented.
func modelListing(_ models: [any RegisteredModel.Type]) -> String {
    models.map { model in
        let seed = model.usesSeed ? "" : " (takes no seed)"
        return
            (["\(model.name): \(model.summary)\(seed)"]
            + model.hyperparameterHelp.sorted { $0.key < $1.key }.map { "    \($0.key): \($0.value)" })
            .joined(separator: "\n")
    }.joined(separator: "\n")
}
