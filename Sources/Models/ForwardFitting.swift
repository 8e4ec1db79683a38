import AnnData
import Foundation
import PerturbData

/// `perturb fit` and `perturb predict` as library calls.
public enum ForwardFitting {
    /// Fits `model` on the training part of `parts` (validation part passed along) and packages it with its
    /// provenance for saving.
    public static func fit(_ name: String, hyperparameters: Hyperparameters, parts: SplitParts, dataSHA256: String?,
                           seed: UInt64) throws -> (model: any ForwardModel, directory: ModelDirectory) {
        let hyperparameters = try ForwardModels.seeding(hyperparameters, model: name, seed: seed)
        var model = try ForwardModels.make(name, hyperparameters: hyperparameters)
        try model.fit(parts.train, validation: parts.validation.cellCount > 0 ? parts.validation : nil)
        let provenance = ModelProvenance(
            dataSHA256: dataSHA256, splitHash: parts.split.contentHash, trainingCells: parts.train.cellCount,
            trainingConditions: parts.train.groups.conditions.filter { $0.perturbation != parts.train.controlLabel }.count,
            seed: seed, trainingPerturbations: parts.train.perturbationLabels)
        return (model, try ModelDirectory(model: model, hyperparameters: hyperparameters, genes: parts.train.genes,
                                          provenance: provenance))
    }

    /// Cell-level predictions for every perturbed condition of `part` (as many cells as it has), from its
    /// control cells, as AnnData with the split's column names.
    public static func predict(_ model: any ForwardModel, part: PerturbationDataset, columns: DatasetColumns,
                               seed: UInt64) throws -> AnnData {
        try model.predict(controls: part, conditions: CellLevelPrediction.requests(for: part), seed: seed)
            .annData(columns: columns)
    }

    /// The real cells of `part` as AnnData with the split's column names (the reference for `perturb eval`).
    public static func reference(_ part: PerturbationDataset, columns: DatasetColumns) throws -> AnnData {
        try part.annData(columns: columns)
    }
}
