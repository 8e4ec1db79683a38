import AnnData
import Foundation
import LinearAlgebra
import PerturbData

/// cell-eval's cell-mean baseline (`cell-eval baseline`): every perturbation is predicted as the mean of the
/// per-label mean profiles of the training data — cell-eval averages over every label, the control's included,
/// and so do we — with as many cells as each perturbation has (or as a counts table says), followed by the
/// training data's real control cells.
public enum CellMeanBaseline {
    /// The baseline profile: mean over labels of each label's mean log1p expression.
    public static func profile(_ train: PerturbationDataset) -> [Float] { train.labelMeanProfile() }

    /// Builds the baseline AnnData. `cellsPerPerturbation` overrides the training counts.
    public static func build(
        _ train: PerturbationDataset, perturbationColumn: String,
        cellsPerPerturbation: [String: Int]? = nil
    ) throws -> AnnData {
        let counts =
            cellsPerPerturbation
            ?? Dictionary(
                uniqueKeysWithValues: train.perturbationLabels.map {
                    ($0, train.groups.cellsByPerturbation[$0]?.count ?? 0)
                })
        let labels = counts.keys.filter { $0 != train.controlLabel }.sorted()
        let base = profile(train)
        let stored = base.enumerated().filter { $0.element != 0 }
        var builder = CSRBuilder(columns: train.geneCount)
        var obsLabels: [String] = [], index: [String] = []
        for label in labels {
            for _ in 0..<(counts[label] ?? 0) {
                for (j, v) in stored { builder.append(column: Int32(j), value: v) }
                builder.finishRow()
                obsLabels.append(label)
                index.append("p.\(index.count)")
            }
        }
        for cell in train.controlCells {
            let range = train.expression.range(ofRow: cell)
            for k in range { builder.append(column: train.expression.columnIndices[k], value: train.expression.values[k]) }
            builder.finishRow()
            obsLabels.append(train.controlLabel)
            index.append(train.cellIDs[cell])
        }
        var obs = DataFrame(index: index)
        try obs.setColumn(perturbationColumn, .categorical(Categorical(labels: obsLabels)))
        let variables = DataFrame(index: train.genes)
        return AnnData(X: builder.build(), obs: obs, variables: variables)
    }
}
