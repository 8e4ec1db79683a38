import LinearAlgebra
import PerturbData

/// A forward model: fit on training conditions, it predicts how a perturbation in a context changes the mean
/// log expression relative to that context's control cells. Cell-level predictions are made from matched control
/// cells and this delta by the shared generator (`CellLevelPrediction`, `CellGeneration`).
///
/// A conforming type registers itself in `forwardModels` under its `name`.
public protocol ForwardModel: RegisteredModel {
    /// Rebuilds a fitted model from saved parameters.
    init(state: ModelState, hyperparameters: Hyperparameters) throws

    /// Fits on the training data only; `validation` may guide early stopping but never the parameters. Every
    /// random choice draws from `context.seed`.
    mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws
    /// The predicted delta (log scale, one value per gene) for `condition`.
    func predictDelta(_ condition: Condition) throws -> [Double]
    /// Predicted cells of the model's own for `condition`: one row per row of `sources` (its matched control
    /// cells, log1p), every random choice drawn from `seed`. nil — the default — means the model predicts a mean
    /// only and the shared generator (`CellGeneration`) makes the cells.
    func sampleCells(_ condition: Condition, sources: CSRMatrix, seed: UInt64) throws -> CSRMatrix?
    /// A set model's predicted set for `condition`: one row per row of `sources` (log1p), each the cell that source
    /// becomes, every random choice drawn from `seed`. The shared generator makes cells from it: `shift` keeps
    /// the rows (clipped at 0), `resample` draws count cells with the set's mean delta and each row's response
    /// strength (`SetResponse`). nil — the default — for models that predict a mean.
    func predictSet(_ condition: Condition, sources: CSRMatrix, seed: UInt64) throws -> Matrix<Float>?
    /// The fitted parameters.
    func state() throws -> ModelState
    /// Single targets, beyond the members of its training perturbations, for which the model predicts a
    /// delta of their own (every gene for `linear-pca`; the table's keys for `ridge` on an embedding).
    /// Empty by default. Reverse prediction by forward retrieval ranks exactly these and the trained ones.
    func representableTargets() -> [String]
    /// How it predicts a perturbation with a member it never saw and cannot represent, completing "it predicts them
    /// …" (`perturb predict` warns with it).
    static var unseenFallback: String { get }
}

extension ForwardModel {
    public func representableTargets() -> [String] { [] }

    public static var unseenFallback: String { "from what it falls back to for a perturbation it cannot represent" }

    public func sampleCells(_ condition: Condition, sources: CSRMatrix, seed: UInt64) throws -> CSRMatrix? { nil }

    public func predictSet(_ condition: Condition, sources: CSRMatrix, seed: UInt64) throws -> Matrix<Float>? { nil }

    /// Predicted cells for `conditions` (cell counts as given) from the control cells of `controls`, as in
    /// docs/DESIGN.md §6: matched controls resampled (or shifted) to the predicted mean, controls appended.
    public func predict(
        controls: PerturbationDataset, conditions: [Condition: Int], seed: UInt64,
        cells: CellGeneration = .resample, source: String = "the control cells"
    ) throws -> PerturbationDataset {
        try CellLevelPrediction.predict(self, controls: controls, conditions: conditions, seed: seed, cells: cells, source: source)
    }
}
