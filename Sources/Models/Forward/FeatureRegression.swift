import PerturbData

/// Perturbation features with the ridge regression fit on them — what `linear` and `ridge` share: a delta
/// predicted from a condition's tokens, saved and loaded under the model's own key.
struct FeatureRegression: Sendable {
    let features: PerturbationFeatures
    let regression: RidgeRegression
    /// The regression's key in the model state (the features are always under `features`).
    let key: String

    init(features: PerturbationFeatures, regression: RidgeRegression, key: String) {
        self.features = features
        self.regression = regression
        self.key = key
    }

    /// Reads both back from a saved state.
    init(loading key: String, from state: ModelState, model: String) throws {
        features = try PerturbationFeatures(loading: "features", from: state, model: model)
        regression = try RidgeRegression(loading: key, from: state, model: model)
        self.key = key
    }

    /// The predicted delta for a condition described by `tokens`.
    func predict(_ tokens: [String]) -> [Double] { regression.predict(features.vector(tokens)) }

    /// The state to save.
    func state() -> ModelState {
        var s = ModelState()
        features.save("features", into: &s)
        regression.save(key, into: &s)
        return s
    }
}
