import LinearAlgebra
import PerturbData
import Support

/// Multi-output regression from profile PCA coordinates to multi-hot target labels through XGBoost: the
/// shared body of `random-forest` and `xgboost`. A gene's score is its predicted label value.
public struct TargetRegressor: Sendable {
    /// Principal components of the features.
    let components: Int
    /// XGBoost parameters and boosting rounds.
    let parameters: [String: String]
    let rounds: Int
    private var projection: ProfileProjection?
    private var vocabulary: [String] = []
    private var booster: Booster?

    /// A regressor for `model` on `d` principal components (hyperparameter `d`, default 50) with XGBoost
    /// `parameters` and `rounds`; the model's hyperparameters are checked against `help` first.
    init(
        _ h: Hyperparameters, model: String, help: [String: String],
        parameters: (Hyperparameters) throws -> [String: String], rounds: (Hyperparameters) throws -> Int
    ) throws {
        try h.check(known: help, model: model)
        components = try h.int("d", default: 50, in: 1...1000, model: model)
        self.parameters = try parameters(h)
        self.rounds = try rounds(h)
    }

    mutating func fit(_ training: ReverseTraining, model: String) throws {
        let profiles = training.profiles
        vocabulary = Array(Set(profiles.targets.joined())).sorted()
        guard profiles.count >= 2, vocabulary.count >= 2 else {
            throw ModelError.unusableTrainingData(model: model, reason: "needs at least two training profiles and two targets")
        }
        let projection = ProfileProjection(profiles.values, components: components, seed: training.seed)
        self.projection = projection
        let features = projection.transform(profiles.values).converted(to: Float.self)
        let column = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
        var labels = Matrix<Float>(rows: profiles.count, columns: vocabulary.count)
        for (r, targets) in profiles.targets.enumerated() {
            for gene in targets { labels.storage[r * vocabulary.count + column[gene]!] = 1 }
        }
        var settings = parameters
        settings["seed"] = String(training.seed % UInt64(Int32.max))
        settings["nthread"] = String(defaultThreadCount())
        booster = try Booster(features: features, labels: labels, parameters: settings, rounds: rounds)
    }

    func scores(_ profiles: TargetProfiles, model: String) throws -> [[String: Double]] {
        guard let projection, let booster else { throw ModelError.notFitted(model: model) }
        let predicted = try booster.predict(projection.transform(profiles.values).converted(to: Float.self))
        return (0..<predicted.rows).map { r in
            var scores: [String: Double] = [:]
            for (j, gene) in vocabulary.enumerated() { scores[gene] = Double(predicted[r, j]) }
            return scores
        }
    }
}

/// A reverse model that is a `TargetRegressor` with settings of its own: its fit and scores are the regressor's.
public protocol TargetRegressorModel: ReverseModel {
    var regressor: TargetRegressor { get set }
}

extension TargetRegressorModel {
    public mutating func fit(_ training: ReverseTraining) throws { try regressor.fit(training, model: Self.name) }

    public func scores(_ profiles: TargetProfiles) throws -> [[String: Double]] { try regressor.scores(profiles, model: Self.name) }
}

/// `xgboost`: gradient-boosted trees from the profiles' principal components to multi-hot target labels.
public struct XGBoostModel: TargetRegressorModel {
    public static let name = "xgboost"
    public static let summary = "gradient-boosted trees (XGBoost) from PCA features to multi-hot targets"
    public static let hyperparameterHelp = [
        "d": "principal components as features (default 50)",
        "rounds": "boosting rounds (default 100)",
        "max_depth": "tree depth (default 4)",
        "eta": "learning rate (default 0.1)",
        "subsample": "rows sampled per tree (default 0.8)",
        "colsample": "features sampled per tree (default 0.8)",
    ]
    public var regressor: TargetRegressor

    public init(hyperparameters h: Hyperparameters) throws {
        let n = Self.name
        regressor = try TargetRegressor(
            h, model: n, help: Self.hyperparameterHelp,
            parameters: { h in
                [
                    "max_depth": String(try h.int("max_depth", default: 4, in: 1...20, model: n)),
                    "eta": String(try h.double("eta", default: 0.1, in: 1e-4...1, model: n)),
                    "subsample": String(try h.double("subsample", default: 0.8, in: 0.05...1, model: n)),
                    "colsample_bytree": String(try h.double("colsample", default: 0.8, in: 0.05...1, model: n)),
                ]
            }, rounds: { try $0.int("rounds", default: 100, in: 1...10_000, model: n) })
    }

    public func searchGrid() -> [String: [String]] { ["max_depth": ["3", "6"], "rounds": ["50", "200"]] }
}

/// `random-forest`: XGBoost's random-forest mode (one round of `trees` parallel trees, rows bootstrapped at
/// 63 %, a fraction of features per split, learning rate 1) from PCA features to multi-hot targets.
public struct RandomForestModel: TargetRegressorModel {
    public static let name = "random-forest"
    public static let summary = "random forest (XGBoost RF mode) from PCA features to multi-hot targets"
    public static let hyperparameterHelp = [
        "d": "principal components as features (default 50)",
        "trees": "trees in the forest (default 200)",
        "max_depth": "tree depth (default 8)",
        "mtry": "fraction of features tried at each split (default 0.5)",
    ]
    public var regressor: TargetRegressor

    public init(hyperparameters h: Hyperparameters) throws {
        let n = Self.name
        regressor = try TargetRegressor(
            h, model: n, help: Self.hyperparameterHelp,
            parameters: { h in
                [
                    "num_parallel_tree": String(try h.int("trees", default: 200, in: 1...10_000, model: n)),
                    "max_depth": String(try h.int("max_depth", default: 8, in: 1...30, model: n)),
                    "colsample_bynode": String(try h.double("mtry", default: 0.5, in: 0.01...1, model: n)),
                    "subsample": "0.632", "eta": "1", "min_child_weight": "1",
                ]
            }, rounds: { _ in 1 })
    }

    public func searchGrid() -> [String: [String]] { ["max_depth": ["4", "8"], "mtry": ["0.3", "0.6"]] }
}
