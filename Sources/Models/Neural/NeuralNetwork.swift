import Neural

/// A trainable network behind a neural forward model. It owns its optimizers; the shared training loop
/// (`NeuralForwardModel.fit`) feeds it batches and scores it on validation data.
public protocol NeuralNetwork: ParameterContainer {
    /// The registry name of the model built on this network (`NeuralModel<Self>.name`).
    static var modelName: String { get }
    /// One line for `perturb models`.
    static var modelSummary: String { get }
    /// Hyperparameters of its own, beyond `NeuralSettings.help`.
    static var hyperparameterHelp: [String: String] { get }
    /// Whether control cells are training examples (with the empty perturbation).
    static var trainsOnControls: Bool { get }
    /// Shared hyperparameters whose default differs for this network (e.g. `dropout`); given values win.
    static var defaultHyperparameters: [String: String] { get }
    /// What it predicts for a perturbation whose members it never saw (`ForwardModel.unseenFallback`).
    static var unseenFallback: String { get }

    /// Checks its own hyperparameters, so a bad value fails when the model is made, not after loading data.
    static func validate(_ hyperparameters: Hyperparameters, model: String) throws
    /// A freshly initialized network for these inputs.
    init(inputs: NeuralInputs, settings: NeuralSettings, generator: Generator, model: String) throws
    /// One optimization step; returns the batch's loss.
    func step(_ batch: TrainingBatch) throws -> Double
    /// The predicted change of the mean profile (1 × genes) of control cells `references` (r × genes, mean
    /// `controlMean`, 1 × genes) under `perturbation` (1 × members) in the context `covariates` (1 × width).
    /// Called without gradient recording, in evaluation mode.
    func delta(references: Tensor, controlMean: Tensor, perturbation: Tensor, covariates: Tensor) throws -> Tensor
}

extension NeuralNetwork {
    public static var defaultHyperparameters: [String: String] { [:] }
    public static var unseenFallback: String { "from a zero perturbation encoding (an unseen member has no embedding)" }
}

/// A network that predicts cells of its own (CPA samples its likelihood head); the others predict a mean only and
/// their cells come from the shared generator.
public protocol SamplingNetwork: NeuralNetwork {
    /// One predicted cell per row of `sources` (n × genes, matched control cells) under `perturbation` in the
    /// context `covariates`, drawn from `generator`. Called without gradient recording, in evaluation mode.
    func sample(sources: Tensor, perturbation: Tensor, covariates: Tensor, generator: Generator) throws -> Tensor
}

/// A fitted network with the inputs it was trained on.
public final class NeuralFit<Network: NeuralNetwork>: @unchecked Sendable {
    public let network: Network
    public let inputs: NeuralInputs
    /// What training did (nil when loaded from disk).
    public let summary: TrainingSummary?

    init(network: Network, inputs: NeuralInputs, summary: TrainingSummary?) {
        self.network = network
        self.inputs = inputs
        self.summary = summary
    }
}

/// A 1 × n row tensor.
func rowTensor(_ values: [Float]) throws -> Tensor { try Tensor(values, shape: [1, values.count]) }

/// A 1 × w row repeated as n rows.
func repeatRows(_ row: Tensor, _ n: Int) throws -> Tensor { try Tensor.ones([n, 1]).matmul(row) }
