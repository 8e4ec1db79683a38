import Support

/// What every registered model type declares, forward or reverse: its name, a one-line summary, its
/// hyperparameters and whether its fit draws random numbers.
public protocol RegisteredModel: Sendable {
    /// Registry name (`control-mean`, `pca-knn`, …).
    static var name: String { get }
    /// One line for `perturb models`.
    static var summary: String { get }
    /// Accepted hyperparameters: key → what it means and its default.
    static var hyperparameterHelp: [String: String] { get }
    /// Whether the fit makes random choices from the run's seed. A model that takes no seed says so (false),
    /// and listings show it.
    static var usesSeed: Bool { get }

    /// An unfitted model; rejects unknown or malformed hyperparameters.
    init(hyperparameters: Hyperparameters) throws
}

extension RegisteredModel {
    /// By default a model uses the seed exactly when it lists a `seed` hyperparameter.
    public static var usesSeed: Bool { hyperparameterHelp["seed"] != nil }

    /// The registry name of this model's type.
    public var name: String { Self.name }
}

/// One registry of model types by name — `forwardModels` and `reverseModels` are its two instances. A new
/// model is one file plus one line in the instance's list.
public struct ModelRegistry<ModelType: Sendable, Model>: Sendable {
    /// Every registered type, in leaderboard order.
    public let all: [ModelType]
    private let describe: @Sendable (ModelType) -> any RegisteredModel.Type
    private let construct: @Sendable (ModelType, Hyperparameters) throws -> Model

    /// A registry of `all`; `describe` views a type as a `RegisteredModel`, `construct` makes an unfitted model.
    public init(
        _ all: [ModelType], describe: @escaping @Sendable (ModelType) -> any RegisteredModel.Type,
        construct: @escaping @Sendable (ModelType, Hyperparameters) throws -> Model
    ) {
        self.all = all
        self.describe = describe
        self.construct = construct
    }

    /// Registered names.
    public var names: [String] { all.map { describe($0).name } }

    /// The model type registered as `name`.
    public func type(named name: String) throws -> ModelType {
        guard let t = all.first(where: { describe($0).name == name }) else {
            throw ModelError.unknownModel(name: name, known: names)
        }
        return t
    }

    /// An unfitted model by name.
    public func make(_ name: String, hyperparameters: Hyperparameters = Hyperparameters()) throws -> Model {
        try construct(try type(named: name), hyperparameters)
    }

    /// Every registered type's declaration, for listings.
    public var declarations: [any RegisteredModel.Type] { all.map(describe) }
}
