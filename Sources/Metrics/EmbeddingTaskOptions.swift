import Foundation
import Statistics
import Support

/// Which definitions of the embedding tasks are computed.
public enum EmbeddingDefinitions: String, Sendable, CaseIterable {
    /// Tx-Evaluation's only (docs/DESIGN.md §5.5).
    case reference
    /// Tx-Evaluation's, and ours beside them under their own metric names: the median iLISI and its scib
    /// normalization, the leave-one-batch-out probe and kNN, the linear decoder.
    case all
}

/// Settings of the embedding tasks. The defaults are Tx-Evaluation's argument defaults (eval_args.py) and, for the
/// probe and decoder, its L1000 / Replogle configurations; `paperConfiguration()` switches kNN and iLISI to what those
/// configurations use (k = 251, Euclidean votes, PCA).
public struct EmbeddingTaskOptions: Sendable {
    /// Which definitions to compute.
    public var definitions = EmbeddingDefinitions.reference
    /// Share of batches and of perturbations in the reference split's training part.
    public var trainFraction = 0.7
    /// Neighbours of the reference kNN and iLISI (nil: ⌊√n⌋ of the part they run on; made odd).
    public var knnK: Int? = nil
    /// Similarity of the reference kNN's votes.
    public var knnDistance = WeightedKNNClassifier.Distance.cosine
    /// Temperature of the cosine votes.
    public var knnTemperature = 0.07
    /// Reference kNN on 32 principal components, iLISI on those explaining 90 % of the variance (at least 32).
    public var reducePCA = false
    /// Training of the reference probe (a linear layer; AdamW 1e-3, weight decay 1e-6, 250 epochs, batches of 64,768).
    public var probeTraining = MinibatchTraining(epochs: 250, batchSize: 64768, rate: 1e-3, weightDecay: 1e-6)
    /// Training of the reference decoder (AdamW 1e-4, weight decay 1e-6, 30 epochs, batches of 512).
    public var decoderTraining = MinibatchTraining(epochs: 30, batchSize: 512, rate: 1e-4, weightDecay: 1e-6)
    /// Hidden layers of the reference decoder.
    public var decoderDepth = 3
    /// A perturbation's target is unexpressed when its mean over all cells, as stored, is below this (main_eval.py's
    /// 0.15); those perturbations form the consistency null.
    public var unexpressedMean = 0.15
    /// LISI perplexity of our median and normalized iLISI (neighbourhoods of 3 × perplexity cells; harmonypy's default).
    public var perplexity = 30
    /// Inverse L2 strength of our leave-one-batch-out logistic regression probe.
    public var probeC = 1.0
    /// Null draws per perturbation for the consistency test when no unexpressed-gene null exists.
    public var nullDraws = 1000
    /// Genes (most variable) the reconstruction decoders predict.
    public var decoderGenes = 1000
    /// Relation sets for the recall task.
    public var relations: [KnownRelations] = []
    public var seed: UInt64 = 0
    public var threads = defaultThreadCount()

    public init() {}

    /// kNN and iLISI as the paper's configurations run them (cfg/config/*_eval.yaml): k = 251, Euclidean votes, PCA.
    public mutating func paperConfiguration() {
        knnK = 251
        knnDistance = .euclidean
        reducePCA = true
    }
}
