import AnnData
import Foundation
import PerturbData

/// `perturb fit` and `perturb predict` as library calls: the one fit that the CLI, the benchmark runner and
/// the hyperparameter search share.
public enum ForwardFitting {
    /// Makes model `name` (the context's seed set where the model takes one) and fits it on `train`;
    /// `validation` may guide early stopping. Returns the model and the hyperparameters it was made with.
    public static func fitModel(
        _ name: String, hyperparameters: Hyperparameters, train: PerturbationDataset,
        validation: PerturbationDataset?, context: FitContext
    ) throws
        -> (model: any ForwardModel, hyperparameters: Hyperparameters)
    {
        let type = try forwardModels.type(named: name)
        let seeded = try context.seeding(hyperparameters, for: type)
        var model = try type.init(hyperparameters: seeded)
        try model.fit(train, validation: validation, context: context)
        return (model, seeded)
    }

    /// Fits `model` on the training part of `parts` (validation part passed along when it has cells) and
    /// packages it with its provenance for saving.
    public static func fit(
        _ name: String, hyperparameters: Hyperparameters, parts: SplitParts, dataSHA256: String?,
        context: FitContext
    ) throws -> (model: any ForwardModel, directory: ModelDirectory) {
        let (model, used) = try fitModel(
            name, hyperparameters: hyperparameters, train: parts.train,
            validation: parts.validation.cellCount > 0 ? parts.validation : nil, context: context)
        let provenance = ModelProvenance(
            dataSHA256: dataSHA256, splitHash: parts.split.contentHash, trainingCells: parts.train.cellCount,
            trainingConditions: parts.train.groups.conditions.filter { $0.perturbation != parts.train.controlLabel }.count,
            seed: context.seed, trainingPerturbations: parts.train.perturbationLabels)
        return (
            model,
            try ModelDirectory(
                model: model, hyperparameters: used, genes: parts.train.genes,
                provenance: provenance)
        )
    }

    /// Cell-level predictions for every perturbed condition of `part` (as many cells as it has), from its
    /// control cells made by `cells`, as AnnData with the split's column names; `source` names the data in errors.
    public static func predict(
        _ model: any ForwardModel, part: PerturbationDataset, columns: DatasetColumns,
        seed: UInt64, cells: CellGeneration = .resample, source: String = "the control cells"
    ) throws -> AnnData {
        try model.predict(controls: part, conditions: CellLevelPrediction.requests(for: part), seed: seed, cells: cells, source: source)
            .annData(columns: columns)
    }

    /// The real cells of `part` as AnnData with the split's column names (the reference for `perturb eval`).
    public static func reference(_ part: PerturbationDataset, columns: DatasetColumns) throws -> AnnData {
        try part.annData(columns: columns)
    }
}
