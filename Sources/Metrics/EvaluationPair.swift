import LinearAlgebra
import PerturbData

/// Real and predicted data for the same perturbations and genes, on the log1p scale, with their pseudobulks.
public struct EvaluationPair: Sendable {
    /// Ground truth.
    public let real: PerturbationDataset
    /// Predictions.
    public let pred: PerturbationDataset
    /// Source paths (for messages).
    public let realPath: String, predPath: String
    /// Optional `obsm` embeddings (for `--embed-key`).
    public let realEmbedding: Matrix<Double>?, predEmbedding: Matrix<Double>?
    /// Perturbations other than the control, sorted.
    public let perturbations: [String]
    /// Expression pseudobulks.
    public let realBulk: Pseudobulk, predBulk: Pseudobulk

    /// Pairs two datasets after checking that genes and perturbation sets agree.
    public init(real: PerturbationDataset, pred: PerturbationDataset, realPath: String, predPath: String,
                realEmbedding: Matrix<Double>? = nil, predEmbedding: Matrix<Double>? = nil) throws {
        try EvaluationChecks.sameGenes(real: real, pred: pred, realPath: realPath, predPath: predPath)
        try EvaluationChecks.samePerturbations(real: real, pred: pred, realPath: realPath, predPath: predPath)
        self.real = real
        self.pred = pred
        self.realPath = realPath
        self.predPath = predPath
        self.realEmbedding = realEmbedding
        self.predEmbedding = predEmbedding
        perturbations = real.perturbationLabels
        realBulk = Pseudobulk(real)
        predBulk = Pseudobulk(pred)
    }

    /// Gene names.
    public var genes: [String] { real.genes }
}
