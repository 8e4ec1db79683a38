import LinearAlgebra
import PerturbData
import Support

/// `pca-knn`: training profiles (target genes masked) in `d` principal components; a query's `k` nearest
/// training profiles (cosine or euclidean) vote for their target genes, each vote weighted by similarity
/// ((1 + cosine) / 2, or 1 / (1 + distance)). Can only name targets seen in training.
public struct PCAKNNModel: ReverseModel {
    public static let name = "pca-knn"
    public static let summary = "k nearest training conditions in PCA space vote for their targets"
    public static let hyperparameterHelp = [
        "d": "principal components (default 20)",
        "k": "neighbours (default 5)",
        "metric": "cosine or euclidean (default cosine)",
    ]
    private let d: Int
    private let k: Int
    private let metric: String
    private var projection: ProfileProjection?
    private var coordinates = Matrix<Double>(rows: 0, columns: 0)
    private var labels: [[String]] = []

    public init(hyperparameters: Hyperparameters) throws {
        try hyperparameters.check(known: Self.hyperparameterHelp, model: Self.name)
        d = try hyperparameters.int("d", default: 20, in: 1...1000, model: Self.name)
        k = try hyperparameters.int("k", default: 5, in: 1...10_000, model: Self.name)
        metric = try hyperparameters.choice("metric", default: "cosine", among: ["cosine", "euclidean"], model: Self.name)
    }

    public func searchGrid() -> [String: [String]] {
        ["d": ["5", "10", "20", "50"], "k": ["1", "3", "5", "10"]]
    }

    public mutating func fit(_ training: ReverseTraining) throws {
        let profiles = training.profiles
        guard profiles.count >= 2 else {
            throw ModelError.unusableTrainingData(model: Self.name, reason: "needs at least two training profiles")
        }
        let projection = ProfileProjection(profiles.values, components: d, seed: training.seed)
        self.projection = projection
        coordinates = projection.transform(profiles.values)
        labels = profiles.targets
    }

    public func scores(_ profiles: TargetProfiles) throws -> [[String: Double]] {
        guard let projection else { throw ModelError.notFitted(model: Self.name) }
        let queries = projection.transform(profiles.values)
        let n = coordinates.rows, c = coordinates.columns
        let norms = (0..<n).map { r in (0..<c).reduce(0.0) { $0 + coordinates[r, $1] * coordinates[r, $1] }.squareRoot() }
        let cosine = metric == "cosine"
        return parallelMap(queries.rows) { q -> [String: Double] in
            let query = queries.row(q)
            let queryNorm = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var similarity = [Double](repeating: 0, count: n)
            for r in 0..<n {
                var dot = 0.0, squared = 0.0
                for j in 0..<c {
                    let t = coordinates.storage[r * c + j]
                    dot += t * query[j]
                    squared += (t - query[j]) * (t - query[j])
                }
                similarity[r] =
                    cosine
                    ? (queryNorm > 0 && norms[r] > 0 ? (1 + dot / (queryNorm * norms[r])) / 2 : 0.5)
                    : 1 / (1 + squared.squareRoot())
            }
            let neighbours = (0..<n).sorted { similarity[$0] != similarity[$1] ? similarity[$0] > similarity[$1] : $0 < $1 }.prefix(k)
            var votes: [String: Double] = [:]
            for r in neighbours { for gene in labels[r] { votes[gene, default: 0] += similarity[r] } }
            return votes
        }
    }
}
