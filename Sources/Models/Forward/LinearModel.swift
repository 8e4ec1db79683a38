import LinearAlgebra
import PerturbData

/// `linear` (PerturBench): x′ = x + W·[onehot(p); onehot(cell type); onehot(batch)] + b, x a matched control
/// cell. Fit by least squares on control-matched training cells; because the features are constant within a
/// condition and the matched control averages to its context mean, this is solved exactly as a ridge
/// regression of the condition deltas weighted by their cell counts (a small penalty `lambda` keeps one-hot
/// columns identifiable). Combinations are multi-hot over their members.
public struct LinearModel: ForwardModel {
    public static let name = "linear"
    public static let summary = "PerturBench's linear model on one-hot perturbation and covariates"
    public static let hyperparameterHelp = ["lambda": "ridge penalty on W (default 0.01)"]
    private let lambda: Double
    private var fitted: FeatureRegression?

    public init(hyperparameters: Hyperparameters) throws {
        try hyperparameters.check(known: Self.hyperparameterHelp, model: Self.name)
        lambda = try hyperparameters.double("lambda", default: 0.01, in: 1e-12...1e12, model: Self.name)
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        fitted = try FeatureRegression(loading: "linear", from: state, model: Self.name)
    }

    static func tokens(_ condition: Condition) -> [String] {
        ConditionDeltas.members(of: condition.perturbation)
            + [condition.cellType.map { "cell_type=" + $0 }, condition.batch.map { "batch=" + $0 }].compactMap { $0 }
    }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        let summary = try ConditionDeltas(train)
        let vocabulary = Set(summary.conditions.flatMap(Self.tokens)).sorted()
        let features = PerturbationFeatures(oneHot: vocabulary)
        let x = Matrix(rowArrays: summary.conditions.map { features.vector(Self.tokens($0)) })
        let regression = try RidgeRegression(
            features: x, targets: summary.deltas,
            weights: summary.cellCounts.map(Double.init), lambda: lambda)
        fitted = FeatureRegression(features: features, regression: regression, key: "linear")
    }

    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let fitted else { throw ModelError.notFitted(model: Self.name) }
        return fitted.predict(Self.tokens(condition))
    }

    public func state() throws -> ModelState {
        guard let fitted else { throw ModelError.notFitted(model: Self.name) }
        return fitted.state()
    }
}

/// `ridge`: each training perturbation's pseudobulk delta (pooled over contexts) regressed on perturbation
/// features — multi-hot over the training singles (`features=onehot`, the default) or the sum of the members'
/// rows of an embedding table (`features=PATH.csv`, gene → vector), which lets it predict perturbations it
/// never saw.
public struct RidgeModel: ForwardModel {
    public static let name = "ridge"
    public static let summary = "ridge regression of pseudobulk deltas on one-hot or embedding features"
    public static let hyperparameterHelp = [
        "lambda": "ridge penalty (default 0.1)",
        "features": "onehot (default) or a CSV table: key, then one number per dimension",
    ]
    private let lambda: Double
    private let featureSource: String
    private var fitted: FeatureRegression?

    public init(hyperparameters: Hyperparameters) throws {
        try hyperparameters.check(known: Self.hyperparameterHelp, model: Self.name)
        lambda = try hyperparameters.double("lambda", default: 0.1, in: 1e-12...1e12, model: Self.name)
        featureSource = hyperparameters.string("features") ?? "onehot"
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        fitted = try FeatureRegression(loading: "ridge", from: state, model: Self.name)
    }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        let pooled = try ConditionDeltas(train).pooledByPerturbation()
        let features: PerturbationFeatures
        if featureSource == "onehot" {
            features = PerturbationFeatures(oneHot: Set(pooled.labels.flatMap(ConditionDeltas.members)).sorted())
        } else {
            features = try PerturbationFeatures.readTable(path: featureSource)
        }
        let x = Matrix(rowArrays: pooled.labels.map { features.vector(ConditionDeltas.members(of: $0)) })
        let regression = try RidgeRegression(features: x, targets: pooled.deltas, lambda: lambda)
        fitted = FeatureRegression(features: features, regression: regression, key: "ridge")
    }

    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let fitted else { throw ModelError.notFitted(model: Self.name) }
        return fitted.predict(ConditionDeltas.members(of: condition.perturbation))
    }

    /// The embedding table's keys when features come from a table (one-hot features add nothing).
    public func representableTargets() -> [String] {
        guard let features = fitted?.features, features.embedding != nil else { return [] }
        return features.vocabulary
    }

    public func state() throws -> ModelState {
        guard let fitted else { throw ModelError.notFitted(model: Self.name) }
        return fitted.state()
    }
}
