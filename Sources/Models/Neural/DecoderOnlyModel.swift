import Neural

/// `decoder-only` (PerturBench): an MLP decodes expression from the perturbation's multi-hot members, the
/// covariates (one-hot cell type and batch), or both, with no control cell as input; trained with MSE on
/// perturbed cells. A condition's delta is the decoded profile minus its context's control mean. With
/// `inputs=covariates` every perturbation of a context gets the same prediction: its pearson_delta can look
/// decent (the shared response) while rank metrics sit near 0.5.
public typealias DecoderOnlyModel = NeuralModel<DecoderOnlyNetwork>

public final class DecoderOnlyNetwork: NeuralNetwork {
    public static let modelName = "decoder-only"
    public static let modelSummary = "MLP decoder from perturbation and/or covariates alone, no control input (MSE)"
    public static let hyperparameterHelp = ["inputs": "perturbation, covariates or both (default both)"]
    public static let trainsOnControls = false
    let usesPerturbation: Bool
    let usesCovariates: Bool
    let decoder: MLP
    let optimizer: Optimizer
    let clip: Double

    static func inputs(_ h: Hyperparameters, model: String) throws -> String {
        try h.choice("inputs", default: "both", among: ["perturbation", "covariates", "both"], model: model)
    }

    public static func validate(_ hyperparameters: Hyperparameters, model: String) throws { _ = try inputs(hyperparameters, model: model) }

    public init(inputs: NeuralInputs, settings: NeuralSettings, generator: Generator, model: String) throws {
        let which = try Self.inputs(settings.hyperparameters, model: model)
        usesPerturbation = which != "covariates"
        usesCovariates = which != "perturbation"
        // A constant input keeps a covariates-only decoder well defined on data without covariates.
        let width = 1 + (usesPerturbation ? inputs.perturbationWidth : 0) + (usesCovariates ? inputs.covariateWidth : 0)
        decoder = try settings.mlp(width, inputs.geneCount, generator: generator)
        if !inputs.geneMeans.isEmpty { try decoder.setOutputBias(inputs.geneMeans) }
        clip = settings.clipNorm
        optimizer = try settings.optimizer(decoder.parameters)
    }

    func forward(_ p: Tensor, _ covariates: Tensor, training: Bool) throws -> Tensor {
        var parts = [try Tensor.ones([p.shape[0], 1])]
        if usesPerturbation { parts.append(p) }
        if usesCovariates { parts.append(covariates) }
        return try decoder(Tensor.cat(parts, dim: 1), training: training)
    }

    public func step(_ batch: TrainingBatch) throws -> Double {
        let loss = try Loss.mse(forward(batch.perturbation, batch.covariates, training: true), batch.target)
        try optimizer.minimize(loss, clip: clip)
        return Double(try loss.item())
    }

    public func delta(references: Tensor, controlMean: Tensor, perturbation: Tensor, covariates: Tensor) throws -> Tensor {
        try forward(perturbation, covariates, training: false) - controlMean
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { prefixed("decoder", decoder) }
}
