import PerturbData

/// `cell-level`: any other reverse model (`base`) fit on individual training cells and queried with
/// individual cells (at most `cells` per condition, drawn by the seed); a condition's gene scores are the
/// mean of its cells' scores, a gene a cell leaves unscored counting as min(0, that cell's lowest score).
/// Compares cell-level with pseudobulk retrieval, as the seed paper does. Keys other than `base` and `cells`
/// go to the base model.
public struct CellLevelModel: ReverseModel {
    public static let name = "cell-level"
    public static let summary = "a base reverse model fit and queried on single cells, scores averaged per condition"
    public static let hyperparameterHelp = [
        "base": "the reverse model applied to cells (default pca-knn)",
        "cells": "cells per condition, for training and for queries (default 30)",
        "KEY": "any hyperparameter of the base model",
    ]
    private let cellsPerCondition: Int
    private var base: any ReverseModel

    public init(hyperparameters h: Hyperparameters) throws {
        let baseName = h.string("base") ?? PCAKNNModel.name
        guard baseName != Self.name else {
            throw ModelError.invalidHyperparameter(model: Self.name, key: "base", value: baseName, expected: "another reverse model")
        }
        cellsPerCondition = try h.int("cells", default: 30, in: 1...100_000, model: Self.name)
        var rest = h.values
        rest["base"] = nil
        rest["cells"] = nil
        base = try reverseModels.make(baseName, hyperparameters: Hyperparameters(rest))
    }

    public func searchGrid() -> [String: [String]] { base.searchGrid() }

    public mutating func fit(_ training: ReverseTraining) throws {
        var cellTraining = training
        cellTraining.profiles = try TargetProfiles.cells(
            training.data, mask: training.mask, perCondition: cellsPerCondition,
            seed: training.seed)
        try base.fit(cellTraining)
    }

    public func scores(_ profiles: TargetProfiles) throws -> [[String: Double]] { try base.scores(profiles) }

    public func conditionScores(_ query: ReverseQuery) throws -> [[String: Double]] {
        let cells = try TargetProfiles.cells(query.data, mask: query.mask, perCondition: cellsPerCondition, seed: query.seed)
        let cellScores = try base.scores(cells)
        var rowsOf: [Condition: [Int]] = [:]
        for (i, condition) in cells.conditions.enumerated() { rowsOf[condition, default: []].append(i) }
        return query.profiles.conditions.map { condition in
            let rows = rowsOf[condition] ?? []
            let genes = Set(rows.flatMap { cellScores[$0].keys })
            var mean: [String: Double] = [:]
            for row in rows {
                let fill = min(0, cellScores[row].values.min() ?? 0)
                for gene in genes { mean[gene, default: 0] += (cellScores[row][gene] ?? fill) / Double(rows.count) }
            }
            return mean
        }
    }
}
