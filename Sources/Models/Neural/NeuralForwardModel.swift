import Foundation
import LinearAlgebra
import Neural
import PerturbData
import Statistics

/// A forward model backed by a `NeuralNetwork`. Fitting, prediction and saving are shared; a model type only
/// names its network. The predicted delta of a condition is the network's predicted change of the mean of
/// sampled control cells of the condition's context.
public protocol NeuralForwardModel: ForwardModel {
    associatedtype Network: NeuralNetwork
    /// Parsed hyperparameters.
    var settings: NeuralSettings { get }
    /// The trained network, once fitted or loaded.
    var fitted: NeuralFit<Network>? { get set }
    /// An unfitted model with these settings.
    init(settings: NeuralSettings)
}

/// The forward model of a network: everything it needs is the network's (name, summary, hyperparameters) and
/// `NeuralForwardModel`'s shared fit, prediction and saving. `LatentAdditiveModel`, `DecoderOnlyModel` and
/// `CPAModel` are its instances.
public struct NeuralModel<Network: NeuralNetwork>: NeuralForwardModel {
    public static var name: String { Network.modelName }
    public static var summary: String { Network.modelSummary }
    public static var unseenFallback: String { Network.unseenFallback }
    public let settings: NeuralSettings
    public var fitted: NeuralFit<Network>?

    public init(settings: NeuralSettings) { self.settings = settings }
}

extension NeuralForwardModel {
    public static var hyperparameterHelp: [String: String] {
        var help = NeuralSettings.help.merging(Network.hyperparameterHelp) { a, _ in a }
        for (key, value) in Network.defaultHyperparameters {
            help[key] = help[key].map { text in
                (text.range(of: " (default").map { String(text[..<$0.lowerBound]) } ?? text) + " (default \(value) for \(Self.name))"
            }
        }
        return help
    }

    public init(hyperparameters: Hyperparameters) throws {
        try Network.validate(hyperparameters, model: Self.name)
        let given = Hyperparameters(Network.defaultHyperparameters.merging(hyperparameters.values) { _, given in given })
        self.init(settings: try NeuralSettings(given, model: Self.name, extra: Network.hyperparameterHelp))
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        let inputs = try NeuralInputs(state: state, model: Self.name)
        let network = try Network(inputs: inputs, settings: settings, generator: Generator(seed: settings.seed), model: Self.name)
        for (name, tensor) in network.namedParameters {
            guard let saved = state.arrays["net." + name], saved.shape == tensor.shape else {
                throw ModelError.invalidModelDirectory(
                    path: "model \(Self.name)", field: "net." + name,
                    reason: "expected a parameter of shape \(tensor.shape)")
            }
            try tensor.assign(Tensor(saved.values.map { Float($0) }, shape: saved.shape))
        }
        fitted = NeuralFit(network: network, inputs: inputs, summary: nil)
    }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        let train = train.normalizedLog1p()
        if let threads = settings.threads ?? context.threads { try Torch.setThreads(threads) }
        fitted = try Torch.withDevice(context.device, precision: context.precision) {
            let seed = context.seed
            let inputs = try NeuralInputs(train, referenceCells: settings.referenceCells, seed: seed)
            guard inputs.perturbationWidth > 0 else {
                throw ModelError.unusableTrainingData(model: Self.name, reason: "no perturbed cells in the training data")
            }
            let network = try Network(inputs: inputs, settings: settings, generator: Generator(seed: seed), model: Self.name)
            let batches = PairedBatches(
                train, inputs: inputs, includeControls: Network.trainsOnControls,
                batchSize: settings.batchSize, seed: seed)
            var plan: [[Int]] = []
            let target = try validation.flatMap { try ValidationTarget($0, trainingControls: train) }
            let unfitted = NeuralFit(network: network, inputs: inputs, summary: nil)
            let summary = try Trainer.run(
                TrainingOptions(
                    epochs: settings.epochs, patience: settings.patience, checkpoint: settings.checkpoint, label: Self.name,
                    log: context.progress),
                parameters: network.namedParameters,
                batches: { epoch in
                    plan = batches.epoch(epoch)
                    return plan.count
                },
                step: { epoch, b in
                    let batch = try batches.batch(plan[b], epoch: epoch, index: b)
                    return StepResult(loss: try network.step(batch), cells: batch.count)
                },
                validate: target.map { t in { try t.score { try Self.delta(unfitted, $0) } } })
            for (_, tensor) in network.namedParameters { try tensor.move(to: .cpu) }
            return NeuralFit(network: network, inputs: inputs, summary: summary)
        }
    }

    /// What the last fit did (nil before fitting or after loading).
    public var trainingSummary: TrainingSummary? { fitted?.summary }

    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let fitted else { throw ModelError.notFitted(model: Self.name) }
        return try Self.delta(fitted, condition)
    }

    static func delta(_ fit: NeuralFit<Network>, _ condition: Condition) throws -> [Double] {
        let context = CellContext(condition)
        let (cells, mean) = fit.inputs.reference(context)
        return try Torch.withoutGradients {
            try fit.network.delta(
                references: Tensor(cells.storage, shape: [cells.rows, cells.columns]),
                controlMean: rowTensor(mean.map { Float($0) }),
                perturbation: rowTensor(fit.inputs.perturbation(condition.perturbation)),
                covariates: rowTensor(fit.inputs.covariates(context))
            ).floats().map { Double($0) }
        }
    }

    /// The network's own cells when it is a `SamplingNetwork` (CPA samples its likelihood head); nil when it
    /// predicts a mean only (nothing is densified then).
    public func sampleCells(_ condition: Condition, sources: CSRMatrix, seed: UInt64) throws -> CSRMatrix? {
        guard let fitted else { throw ModelError.notFitted(model: Self.name) }
        guard let network = fitted.network as? any SamplingNetwork else { return nil }
        let dense = sources.toDense()
        return try Torch.withoutGradients {
            let cells = try network.sample(
                sources: Tensor(dense.storage, shape: [sources.rows, sources.columns]),
                perturbation: rowTensor(fitted.inputs.perturbation(condition.perturbation)),
                covariates: rowTensor(fitted.inputs.covariates(CellContext(condition))), generator: Generator(seed: seed))
            return CSRMatrix(dense: Matrix(rows: sources.rows, columns: sources.columns, storage: try cells.floats()))
        }
    }

    public func state() throws -> ModelState {
        guard let fitted else { throw ModelError.notFitted(model: Self.name) }
        var s = ModelState()
        fitted.inputs.save(into: &s)
        for (name, tensor) in fitted.network.namedParameters {
            s.arrays["net." + name] = ModelState.Parameter(shape: tensor.shape, values: try tensor.floats().map { Double($0) })
        }
        return s
    }
}

/// The validation score of early stopping: mean Pearson correlation between predicted and observed deltas
/// (pearson_delta) over the validation part's perturbed conditions. An observed delta is the condition's mean
/// minus the mean of the training and validation control cells of its context pooled: validation parts are
/// small (a single condition and 20 controls on the Norman combo split), and the control noise shared by every
/// observed delta would otherwise decide which epoch is kept.
struct ValidationTarget {
    let conditions: [Condition]
    let observed: [[Double]]

    /// Nil when the validation part has no perturbed conditions or no controls. The control cells of
    /// `trainingControls`, when given, are pooled with the validation part's.
    init?(_ validation: PerturbationDataset, trainingControls train: PerturbationDataset? = nil) throws {
        guard !validation.controlCells.isEmpty, validation.cellCount > validation.controlCells.count,
            let summary = try? ConditionDeltas(validation)
        else { return nil }
        let pooled = Self.pooledControlMeans([validation] + (train.map { [$0] } ?? []))
        conditions = summary.conditions
        observed = summary.conditions.enumerated().map { i, condition in
            let context = CellContext(condition)
            let own = summary.controlMean(for: context), all = ConditionDeltas.lookup(pooled, context)!
            return (0..<own.count).map { summary.deltas[i, $0] + own[$0] - all[$0] }
        }
    }

    /// Cell-weighted mean control profile per context (and fallback) over every part.
    static func pooledControlMeans(_ parts: [PerturbationDataset]) -> [CellContext: [Double]] {
        var sums: [CellContext: (sum: [Double], cells: Int)] = [:]
        for data in parts.map({ $0.normalizedLog1p() }) {
            for (context, cells) in CellContext.controlCells(of: data) {
                let mean = data.expression.columnMeans(rows: cells)
                var entry = sums[context] ?? ([Double](repeating: 0, count: mean.count), 0)
                for j in mean.indices { entry.sum[j] += mean[j] * Double(cells.count) }
                entry.cells += cells.count
                sums[context] = entry
            }
        }
        return sums.mapValues { entry in entry.sum.map { $0 / Double(entry.cells) } }
    }

    func score(_ predict: (Condition) throws -> [Double]) throws -> Double {
        var total = 0.0
        for (c, obs) in zip(conditions, observed) {
            let r = pearson(try predict(c), obs)
            total += r.isFinite ? r : 0
        }
        return total / Double(conditions.count)
    }
}
