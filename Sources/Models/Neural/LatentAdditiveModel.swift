import Neural

/// `latent-additive` (PerturBench): a control cell is encoded, the perturbation's embedding (an MLP of its
/// multi-hot members) is added in the latent space, and the sum is decoded; covariates are appended to the
/// encoder and decoder inputs. Trained with MSE on control → perturbed pairs matched by context (control cells
/// map to themselves under the empty perturbation). A condition's delta is the mean over reference controls of
/// f(x, p) − f(x, ∅), so reconstruction error cancels.
public typealias LatentAdditiveModel = NeuralModel<LatentAdditiveNetwork>

public final class LatentAdditiveNetwork: NeuralNetwork {
    public static let modelName = "latent-additive"
    public static let modelSummary = "encode control cell, add perturbation embedding in latent space, decode (MSE)"
    public static let unseenFallback = "as the control mean: an unseen member has no embedding, and a zero one moves nothing"
    public static let hyperparameterHelp: [String: String] = [:]
    public static let trainsOnControls = true
    /// No dropout: on the covariate-transfer simulator dropout 0.1 gave pearson_delta 0.145, none 0.224 (docs/RESULTS.md).
    public static let defaultHyperparameters = ["dropout": "0"]
    public static func validate(_ hyperparameters: Hyperparameters, model: String) throws {}
    let encoder: MLP
    let perturbationEncoder: MLP
    let decoder: MLP
    let optimizer: Optimizer
    let clip: Double

    public init(inputs: NeuralInputs, settings: NeuralSettings, generator: Generator, model: String) throws {
        let c = inputs.covariateWidth
        encoder = try settings.mlp(inputs.geneCount + c, settings.latent, generator: generator)
        perturbationEncoder = try settings.mlp(inputs.perturbationWidth, settings.latent, generator: generator)
        decoder = try settings.mlp(settings.latent + c, inputs.geneCount, generator: generator)
        if !inputs.geneMeans.isEmpty { try decoder.setOutputBias(inputs.geneMeans) }
        clip = settings.clipNorm
        optimizer = try settings.optimizer([encoder, perturbationEncoder, decoder].flatMap { $0.parameters })
    }

    func forward(_ x: Tensor, _ p: Tensor, _ covariates: Tensor, training: Bool) throws -> Tensor {
        let z =
            try encoder(Tensor.cat([x, covariates], dim: 1), training: training)
            + perturbationEncoder(p, training: training)
        return try decoder(Tensor.cat([z, covariates], dim: 1), training: training)
    }

    public func step(_ batch: TrainingBatch) throws -> Double {
        let loss = try Loss.mse(forward(batch.control, batch.perturbation, batch.covariates, training: true), batch.target)
        try optimizer.minimize(loss, clip: clip)
        return Double(try loss.item())
    }

    public func delta(references: Tensor, controlMean: Tensor, perturbation: Tensor, covariates: Tensor) throws -> Tensor {
        let covs = try repeatRows(covariates, references.shape[0])
        let ps = try repeatRows(perturbation, references.shape[0])
        let perturbed = try forward(references, ps, covs, training: false)
        let unperturbed = try forward(references, ps.affine(scale: 0), covs, training: false)
        return try (perturbed - unperturbed).mean(dim: 0, keepingDimension: true)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        prefixed("encoder", encoder) + prefixed("perturbation_encoder", perturbationEncoder) + prefixed("decoder", decoder)
    }
}
