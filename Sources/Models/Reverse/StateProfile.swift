import AnnData
import PerturbData

/// A cell state for a screen: the mean log1p expression (counts are normalized first) of the cells of an
/// `.h5ad` file, or of those whose `column` holds a group label.
public enum StateProfile {
    /// Genes and one mean profile per entry of `groups` (nil: every cell), from a single read of `path`.
    public static func means(path: String, column: String?, groups: [String?], layer: String? = nil) throws
        -> (genes: [String], means: [[Double]])
    {
        let data = try AnnData.read(path: path, options: ReadOptions(matrix: layer.map { .layer($0) } ?? .x, obsm: false))
        guard let x = data.X, x.rows > 0 else {
            throw ModelError.invalidInput(path: path, field: layer ?? "X", reason: "no cells to average")
        }
        var labels: [String]?
        let means = try groups.map { group -> [Double] in
            var cells = Array(0..<x.rows)
            if let group {
                guard let column else {
                    throw ModelError.invalidInput(path: path, field: "obs", reason: "a group needs a column to look it up in")
                }
                if labels == nil {
                    let columns = DatasetColumns(perturbation: column, control: group, cellType: nil, batch: nil)
                    labels = try columns.labels(of: column, in: data.obs, path: path)
                }
                let labeling = ConditionLabeling(controlLabel: group)
                let canonical = labels!.map { labeling.canonical($0) }
                let wanted = labeling.canonical(group)
                cells = cells.filter { canonical[$0] == wanted }
                guard !cells.isEmpty else {
                    let known = Set(canonical).sorted()
                    throw ModelError.invalidInput(
                        path: path, field: "obs/\(column)",
                        reason: "no cell is labelled '\(group)'; labels include "
                            + known.prefix(8).joined(separator: ", ") + (known.count > 8 ? ", …" : ""))
                }
            }
            return PerturbationDataset(
                expression: x.selectingRows(cells), genes: data.variables.index,
                cellIDs: cells.map { data.obs.index[$0] }, perturbations: cells.map { _ in "state" },
                controlLabel: "state"
            ).normalizedLog1p().expression.columnMeans()
        }
        return (data.variables.index, means)
    }
}
