import LinearAlgebra
import PerturbData
import Support

/// Multi-output regression from profile PCA coordinates to multi-hot target labels through XGBoost: the
/// shared body of `random-forest` and `xgboost`. A gene's score is its predicted label value.
struct TargetRegressor: Sendable {
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

/// What distinguishes one tree ensemble on `TargetRegressor` from another: its registry entry and the XGBoost
/// settings it reads from its hyperparameters. `TreeModel<Kind>` is the reverse model.
public protocol TreeEnsembleKind: Sendable {
    static var modelName: String { get }
    static var modelSummary: String { get }
    /// Its hyperparameters besides `d` (principal components as features, default 50).
    static var hyperparameterHelp: [String: String] { get }
    /// XGBoost parameters read from the hyperparameters (`model` names it in errors).
    static func boosterParameters(_ h: Hyperparameters, model: String) throws -> [String: String]
    /// Boosting rounds read from the hyperparameters.
    static func rounds(_ h: Hyperparameters, model: String) throws -> Int
    /// Values to try by validation MRR.
    static var searchGrid: [String: [String]] { get }
}

/// A reverse model that is a `TargetRegressor` with the settings of `Kind`: `xgboost` and `random-forest`.
public struct TreeModel<Kind: TreeEnsembleKind>: ReverseModel {
    public static var name: String { Kind.modelName }
    public static var summary: String { Kind.modelSummary }
    public static var hyperparameterHelp: [String: String] {
        Kind.hyperparameterHelp.merging(["d": "principal components as features (default 50)"]) { own, _ in own }
    }
    var regressor: TargetRegressor

    public init(hyperparameters h: Hyperparameters) throws {
        regressor = try TargetRegressor(
            h, model: Self.name, help: Self.hyperparameterHelp, parameters: { try Kind.boosterParameters($0, model: Self.name) },
            rounds: { try Kind.rounds($0, model: Self.name) })
    }

    public func searchGrid() -> [String: [String]] { Kind.searchGrid }

    public mutating func fit(_ training: ReverseTraining) throws { try regressor.fit(training, model: Self.name) }

    public func scores(_ profiles: TargetProfiles) throws -> [[String: Double]] { try regressor.scores(profiles, model: Self.name) }
}

/// `xgboost`: gradient-boosted trees from the profiles' principal components to multi-hot target labels.
public typealias XGBoostModel = TreeModel<GradientBoostedTrees>

public enum GradientBoostedTrees: TreeEnsembleKind {
    public static let modelName = "xgboost"
    public static let modelSummary = "gradient-boosted trees (XGBoost) from PCA features to multi-hot targets"
    public static let hyperparameterHelp = [
        "rounds": "boosting rounds (default 100)",
        "max_depth": "tree depth (default 4)",
        "eta": "learning rate (default 0.1)",
        "subsample": "rows sampled per tree (default 0.8)",
        "colsample": "features sampled per tree (default 0.8)",
    ]
    public static let searchGrid = ["max_depth": ["3", "6"], "rounds": ["50", "200"]]

    public static func boosterParameters(_ h: Hyperparameters, model n: String) throws -> [String: String] {
        [
            "max_depth": String(try h.int("max_depth", default: 4, in: 1...20, model: n)),
            "eta": String(try h.double("eta", default: 0.1, in: 1e-4...1, model: n)),
            "subsample": String(try h.double("subsample", default: 0.8, in: 0.05...1, model: n)),
            "colsample_bytree": String(try h.double("colsample", default: 0.8, in: 0.05...1, model: n)),
        ]
    }

    public static func rounds(_ h: Hyperparameters, model n: String) throws -> Int {
        try h.int("rounds", default: 100, in: 1...10_000, model: n)
    }
}

/// `random-forest`: XGBoost's random-forest mode (one round of `trees` parallel trees, rows bootstrapped at
/// 63 %, a fraction of features per split, learning rate 1) from PCA features to multi-hot targets.
public typealias RandomForestModel = TreeModel<RandomForest>

public enum RandomForest: TreeEnsembleKind {
    public static let modelName = "random-forest"
    public static let modelSummary = "random forest (XGBoost RF mode) from PCA features to multi-hot targets"
    public static let hyperparameterHelp = [
        "trees": "trees in the forest (default 200)",
        "max_depth": "tree depth (default 8)",
        "mtry": "fraction of features tried at each split (default 0.5)",
    ]
    public static let searchGrid = ["max_depth": ["4", "8"], "mtry": ["0.3", "0.6"]]

    public static func boosterParameters(_ h: Hyperparameters, model n: String) throws -> [String: String] {
        [
            "num_parallel_tree": String(try h.int("trees", default: 200, in: 1...10_000, model: n)),
            "max_depth": String(try h.int("max_depth", default: 8, in: 1...30, model: n)),
            "colsample_bynode": String(try h.double("mtry", default: 0.5, in: 0.01...1, model: n)),
            "subsample": "0.632", "eta": "1", "min_child_weight": "1",
        ]
    }

    public static func rounds(_ h: Hyperparameters, model n: String) throws -> Int { 1 }
}
