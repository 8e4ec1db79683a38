import LinearAlgebra
import PerturbData

/// The real and predicted sides of one evaluation (same genes, same perturbations).
public struct EvaluationPair: Sendable {
    /// Ground truth.
    public let real: EvaluationSide
    /// Predictions.
    public let pred: EvaluationSide
    /// Perturbations other than the control, sorted.
    public let perturbations: [String]

    /// Pairs two summarized sides after checking that genes and perturbation sets agree.
    public init(real: EvaluationSide, pred: EvaluationSide) throws {
        try EvaluationChecks.sameGenes(real: real.genes, pred: pred.genes, realPath: real.path, predPath: pred.path)
        try EvaluationChecks.samePerturbations(
            real: real.bulk.labels, pred: pred.bulk.labels, realPath: real.path,
            predPath: pred.path)
        self.real = real
        self.pred = pred
        perturbations = real.perturbations
    }

    /// Summarizes and pairs two datasets held in memory together (tests, library use).
    public init(
        real: PerturbationDataset, pred: PerturbationDataset, realPath: String = "real", predPath: String = "pred",
        needs: SideNeeds = [], deOptions: DEOptions = DEOptions()
    ) throws {
        let realSide = EvaluationSide(real, path: realPath, needs: needs, deOptions: deOptions)
        try self.init(
            real: realSide,
            pred: EvaluationSide(
                pred, path: predPath, needs: needs, deOptions: deOptions, pca: realSide.pca,
                referenceControl: realSide.controlMoments))
    }

    /// Gene names.
    public var genes: [String] { real.genes }
    /// Expression pseudobulks.
    public var realBulk: Pseudobulk { real.bulk }
    public var predBulk: Pseudobulk { pred.bulk }
}
