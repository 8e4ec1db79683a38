import Neural

/// `cpa` (Compositional Perturbation Autoencoder, Lotfollahi et al. 2023): a cell is encoded to a basal
/// state; learned perturbation and covariate embeddings are added; the decoder gives a Gaussian mean and
/// variance per gene (negative log-likelihood loss). With `adversary=true` (default), classifiers try to read
/// the condition and covariates from the basal state and the encoder is trained against them, so the basal
/// state carries no perturbation. Doses are taken as 1 (genetic screens); each member's embedding is scaled by
/// a learned per-member sigmoid dose response at that dose when `doser=sigmoid`.
/// A condition's delta is the mean over reference controls of decoded(z + p + c) − decoded(z + c). Its cells are
/// sampled from its likelihood head: each matched control cell is encoded, shifted, decoded, and a value drawn
/// from the Gaussian (mean, variance) per gene, clipped at 0.
public typealias CPAModel = NeuralModel<CPANetwork>

public final class CPANetwork: SamplingNetwork {
    public static let modelName = "cpa"
    public static let unseenFallback = "as the control mean: an unseen member has no embedding, and a zero one moves nothing"
    public static let modelSummary =
        "compositional perturbation autoencoder: basal latent + perturbation and covariate embeddings, optional adversary"
    public static let hyperparameterHelp = [
        "adversary": "train adversarial classifiers against the basal state: true or false (default true)",
        "adversary_weight": "weight of the adversarial term in the autoencoder loss (default 1)",
        "doser": "dose response of each perturbation embedding: none or sigmoid (default none)",
    ]
    public static let trainsOnControls = true
    let encoder: MLP
    let decoder: MLP
    let perturbationEmbedding: Tensor
    let covariateEmbedding: Tensor
    let doseSlope: Tensor?
    let doseBias: Tensor?
    let adversaries: [MLP]
    let optimizer: Optimizer
    let adversaryOptimizer: Optimizer?
    let adversaryWeight: Double
    let clip: Double
    let genes: Int

    static func options(_ h: Hyperparameters, model: String) throws -> (adversary: Bool, doser: String, weight: Double) {
        (
            try h.choice("adversary", default: "true", among: ["true", "false"], model: model) == "true",
            try h.choice("doser", default: "none", among: ["none", "sigmoid"], model: model),
            try h.double("adversary_weight", default: 1, in: 0...1e6, model: model)
        )
    }

    public static func validate(_ hyperparameters: Hyperparameters, model: String) throws { _ = try options(hyperparameters, model: model) }

    public init(inputs: NeuralInputs, settings: NeuralSettings, generator: Generator, model: String) throws {
        let (adversary, doser, weight) = try Self.options(settings.hyperparameters, model: model)
        adversaryWeight = weight
        genes = inputs.geneCount
        encoder = try settings.mlp(genes, settings.latent, generator: generator)
        decoder = try settings.mlp(settings.latent, 2 * genes, generator: generator)
        if !inputs.geneMeans.isEmpty { try decoder.setOutputBias(inputs.geneMeans + [Float](repeating: 0, count: genes)) }
        let e = Embedding.self
        perturbationEmbedding = try e.init(inputs.perturbationWidth, settings.latent, generator: generator, std: 0.1).table
        covariateEmbedding = try e.init(max(inputs.covariateWidth, 1), settings.latent, generator: generator, std: 0.1).table
        if doser == "sigmoid" {
            doseSlope = parameter(try .ones([1, inputs.perturbationWidth]))
            doseBias = parameter(try .zeros([1, inputs.perturbationWidth]))
        } else {
            doseSlope = nil
            doseBias = nil
        }
        var classifiers: [MLP] = []
        if adversary {
            classifiers.append(try settings.mlp(settings.latent, inputs.labels.count, generator: generator))
            if inputs.cellTypes.count > 1 {
                classifiers.append(try settings.mlp(settings.latent, inputs.cellTypes.count, generator: generator))
            }
            if inputs.batches.count > 1 {
                classifiers.append(try settings.mlp(settings.latent, inputs.batches.count, generator: generator))
            }
        }
        adversaries = classifiers
        clip = settings.clipNorm
        let own = [
            encoder.parameters, decoder.parameters, [perturbationEmbedding, covariateEmbedding],
            [doseSlope, doseBias].compactMap { $0 },
        ].flatMap { $0 }
        optimizer = try settings.optimizer(own)
        adversaryOptimizer = adversary ? try settings.optimizer(classifiers.flatMap { $0.parameters }) : nil
    }

    /// The perturbation's latent shift: multi-hot members (each at dose 1) through the dose response, times the embedding.
    func perturbationShift(_ p: Tensor) throws -> Tensor {
        guard let doseSlope, let doseBias else { return try p.matmul(perturbationEmbedding) }
        return try (p * (p * doseSlope + doseBias).sigmoid()).matmul(perturbationEmbedding)
    }

    func covariateShift(_ covariates: Tensor) throws -> Tensor {
        covariates.shape[1] == 0
            ? try Tensor.zeros([covariates.shape[0], covariateEmbedding.shape[1]])
            : try covariates.matmul(covariateEmbedding)
    }

    /// Gaussian mean and variance of the decoded latent state.
    func decode(_ z: Tensor, training: Bool) throws -> (mean: Tensor, variance: Tensor) {
        let out = try decoder(z, training: training)
        let mean = try out.indexSelect(dim: 1, .indices(Array(0..<genes)))
        let variance = try out.indexSelect(dim: 1, .indices(Array(genes..<(2 * genes)))).softplus().affine(scale: 1, shift: 1e-4)
        return (mean, variance)
    }

    /// Summed cross entropy of every adversary on the basal state.
    func adversaryLoss(_ basal: Tensor, _ batch: TrainingBatch) throws -> Tensor {
        var loss = try Loss.crossEntropy(adversaries[0](basal, training: true), batch.labelClass)
        for (classifier, covariate) in zip(adversaries.dropFirst(), batch.covariateClasses) {
            loss = try loss + Loss.crossEntropy(classifier(basal, training: true), covariate.classes)
        }
        return loss
    }

    public func step(_ batch: TrainingBatch) throws -> Double {
        let basal = try encoder(batch.target, training: true)
        if let adversaryOptimizer {
            try adversaryOptimizer.minimize(try adversaryLoss(basal.detached(), batch), clip: clip)
        }
        let z = try basal + perturbationShift(batch.perturbation) + covariateShift(batch.covariates)
        let (mean, variance) = try decode(z, training: true)
        let reconstruction = try Loss.gaussianNLL(mean: mean, target: batch.target, variance: variance)
        var loss = reconstruction
        if adversaryOptimizer != nil && adversaryWeight > 0 {
            loss = try loss - adversaryLoss(basal, batch).affine(scale: adversaryWeight)
        }
        try optimizer.minimize(loss, clip: clip)
        return Double(try reconstruction.item())
    }

    public func delta(references: Tensor, controlMean: Tensor, perturbation: Tensor, covariates: Tensor) throws -> Tensor {
        let n = references.shape[0]
        let basal = try encoder(references, training: false) + covariateShift(repeatRows(covariates, n))
        let perturbed = try decode(basal + perturbationShift(repeatRows(perturbation, n)), training: false).mean
        let unperturbed = try decode(basal, training: false).mean
        return try (perturbed - unperturbed).mean(dim: 0, keepingDimension: true)
    }

    public func sample(sources: Tensor, perturbation: Tensor, covariates: Tensor, generator: Generator) throws -> Tensor {
        let n = sources.shape[0]
        let z =
            try encoder(sources, training: false) + covariateShift(repeatRows(covariates, n))
            + perturbationShift(repeatRows(perturbation, n))
        let (mean, variance) = try decode(z, training: false)
        let noise = try Tensor.normal(mean.shape, std: 1, generator: generator)
        return try (mean + variance.sqrt() * noise).relu()
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        var out =
            prefixed("encoder", encoder) + prefixed("decoder", decoder)
            + [("perturbation_embedding", perturbationEmbedding), ("covariate_embedding", covariateEmbedding)]
        if let doseSlope, let doseBias { out += [("dose_slope", doseSlope), ("dose_bias", doseBias)] }
        return out + adversaries.enumerated().flatMap { prefixed("adversary\($0.offset)", $0.element) }
    }
}
