/// The one registry of forward models, by name. A new model is added here and nowhere else.
public enum ForwardModels {
    /// Every registered model type, in leaderboard order.
    public static let all: [any ForwardModel.Type] = [
        ControlMeanModel.self, PerturbationMeanModel.self, ContextMeanModel.self, AdditiveModel.self,
        LinearModel.self, RidgeModel.self, LinearPCAModel.self,
    ]

    /// Registered names.
    public static var names: [String] { all.map { $0.name } }

    /// The model type registered as `name`.
    public static func type(named name: String) throws -> any ForwardModel.Type {
        guard let t = all.first(where: { $0.name == name }) else { throw ModelError.unknownModel(name: name, known: names) }
        return t
    }

    /// An unfitted model by name.
    public static func make(_ name: String, hyperparameters: Hyperparameters = Hyperparameters()) throws -> any ForwardModel {
        try type(named: name).init(hyperparameters: hyperparameters)
    }
}
