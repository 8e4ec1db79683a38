import LinearAlgebra

/// What the count generator takes from a set model's predicted set: the set's mean delta, and how strongly each
/// cell responds. With s_k = predicted row k − source row k (log1p, predicted clipped at 0) and m = mean_k s_k,
/// cell k's response is max(0, ⟨s_k, m⟩ / ⟨m, m⟩), scaled to mean 1: 1 for every cell of a set that moves all its
/// cells alike, 0 for a cell the model leaves in place, 2 for one it moves twice as far along the set's direction.
/// So a partial response (some cells moved, others not) reaches the generated cells (docs/DESIGN.md §8a).
public struct SetResponse: Sendable, Equatable {
    /// The set's mean delta per gene: mean of the predicted rows minus mean of the source rows.
    public let delta: [Double]
    /// Each cell's response strength, ≥ 0 with mean 1.
    public let responses: [Double]

    /// The response of `predicted` (n × genes) made from `sources` (n × genes).
    public init(predicted: Matrix<Float>, sources: CSRMatrix) {
        let n = predicted.rows, genes = predicted.columns
        precondition(sources.rows == n && sources.columns == genes, "a predicted row per source row")
        var shifts = predicted.storage.map { Double(max(0, $0)) }
        for k in 0..<n {
            for p in sources.range(ofRow: k) { shifts[k * genes + Int(sources.columnIndices[p])] -= Double(sources.values[p]) }
        }
        var mean = [Double](repeating: 0, count: genes)
        for k in 0..<n { for j in 0..<genes { mean[j] += shifts[k * genes + j] } }
        for j in 0..<genes { mean[j] /= Double(max(n, 1)) }
        delta = mean
        let norm = mean.reduce(0) { $0 + $1 * $1 }
        var weights = (0..<n).map { k -> Double in
            guard norm > 0 else { return 1 }
            var dot = 0.0
            for j in 0..<genes { dot += shifts[k * genes + j] * mean[j] }
            return max(0, dot / norm)
        }
        let total = weights.reduce(0, +)
        weights = total > 0 && total.isFinite ? weights.map { $0 * Double(n) / total } : [Double](repeating: 1, count: n)
        responses = weights
    }
}
