/// The one registry of forward models, by name. A new model is added here and nowhere else.
public enum ForwardModels {
    /// Every registered model type, in leaderboard order.
    public static let all: [any ForwardModel.Type] = [
        ControlMeanModel.self, PerturbationMeanModel.self, ContextMeanModel.self, AdditiveModel.self,
        LinearModel.self, RidgeModel.self, LinearPCAModel.self,
        LatentAdditiveModel.self, DecoderOnlyModel.self, CPAModel.self,
    ]

    /// Registered names.
    public static var names: [String] { all.map { $0.name } }

    /// The model type registered as `name`.
    public static func type(named name: String) throws -> any ForwardModel.Type {
        guard let t = all.first(where: { $0.name == name }) else { throw ModelError.unknownModel(name: name, known: names) }
        return t
    }

    /// `hyperparameters` with `seed` set to the run's seed when the model takes one and none was given, so a
    /// neural model fit with `--seed S` records and reproduces S.
    public static func seeding(_ hyperparameters: Hyperparameters, model name: String, seed: UInt64) throws -> Hyperparameters {
        var h = hyperparameters
        if try type(named: name).hyperparameterHelp["seed"] != nil && h.values["seed"] == nil { h.values["seed"] = String(seed) }
        return h
    }

    /// An unfitted model by name.
    public static func make(_ name: String, hyperparameters: Hyperparameters = Hyperparameters()) throws -> any ForwardModel {
        try type(named: name).init(hyperparameters: hyperparameters)
    }
}
