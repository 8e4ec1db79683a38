import PerturbData

/// What a reverse model is fit on: the training cells (log1p) and their profiles with the mask applied.
public struct ReverseTraining: Sendable {
    /// The training part (log1p), all genes: forward models fit on it.
    public var data: PerturbationDataset
    /// Training profiles (pseudobulk per condition unless a model asks for cells), masked.
    public var profiles: TargetProfiles
    /// Genes removed from every profile.
    public var mask: Set<String>
    /// Seed for every random choice.
    public var seed: UInt64
    /// The candidate genes that will be ranked, when known: models may skip scoring anything else.
    public var universe: Set<String>?
    /// Where the training progress of an inner neural model goes (nil: nowhere).
    public var progress: (@Sendable (String) -> Void)?

    /// Pseudobulk training profiles of `data` without the `mask` genes.
    public init(data: PerturbationDataset, mask: Set<String>, seed: UInt64, universe: Set<String>? = nil) throws {
        self.data = data.normalizedLog1p()
        self.profiles = try TargetProfiles.pseudobulk(self.data, mask: mask)
        self.mask = mask
        self.seed = seed
        self.universe = universe
    }
}

/// The observed phenotypes to explain: one query per perturbed condition of `data`.
public struct ReverseQuery: Sendable {
    /// The query cells (log1p) with their own control cells.
    public var data: PerturbationDataset
    /// One pseudobulk profile per perturbed condition (masked): the queries, in order.
    public var profiles: TargetProfiles
    /// Genes removed from every profile.
    public var mask: Set<String>
    /// Seed for every random choice.
    public var seed: UInt64

    /// The pseudobulk queries of `data` without the `mask` genes.
    public init(data: PerturbationDataset, mask: Set<String>, seed: UInt64) throws {
        self.data = data.normalizedLog1p()
        self.profiles = try TargetProfiles.pseudobulk(self.data, mask: mask)
        self.mask = mask
        self.seed = seed
    }
}

/// A reverse model (docs/DESIGN.md §2, §5.4): from an observed expression change, scores for the genes that may have
/// caused it (higher is more likely). Genes it cannot name get no score.
///
/// A conforming type registers itself in `reverseModels` under its `name`; it draws random numbers only from
/// `ReverseTraining.seed`.
public protocol ReverseModel: RegisteredModel {
    /// Values to try, by validation MRR, for each hyperparameter the user did not set.
    func searchGrid() -> [String: [String]]
    /// Fits on the training profiles (or cells) only.
    mutating func fit(_ training: ReverseTraining) throws
    /// Gene scores for each profile.
    func scores(_ profiles: TargetProfiles) throws -> [[String: Double]]
    /// Gene scores for each query condition, in the order of `query.profiles` (default: `scores` of the
    /// pseudobulk profiles).
    func conditionScores(_ query: ReverseQuery) throws -> [[String: Double]]
}

extension ReverseModel {
    /// Every reverse model draws its random choices (PCA, trees, sampled cells, an inner forward model) from
    /// `ReverseTraining.seed`.
    public static var usesSeed: Bool { true }

    public func conditionScores(_ query: ReverseQuery) throws -> [[String: Double]] {
        try scores(query.profiles)
    }
}

/// The one registry of reverse models, by name (`ModelRegistry`).
public let reverseModels = ModelRegistry<any ReverseModel.Type, any ReverseModel>(
    [PCAKNNModel.self, RandomForestModel.self, XGBoostModel.self, ForwardRetrievalModel.self, CellLevelModel.self],
    describe: { $0 }, construct: { try $0.init(hyperparameters: $1) })
