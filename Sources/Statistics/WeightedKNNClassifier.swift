import Foundation
import LinearAlgebra
import Support

/// The weighted k-nearest-neighbour classifier of solo-learn that Tx-Evaluation uses (`WeightedKNNClassifier`):
/// the k most similar training rows vote with weight exp(cos/T) (cosine similarity of L2-normalized rows) or
/// 1/(‖a − b‖ + ε) (Euclidean); classes are ranked by their summed weight (ties by class index).
public enum WeightedKNNClassifier {
    /// The similarity of the vote.
    public enum Distance: String, Sendable, CaseIterable {
        case cosine, euclidean
    }

    /// For each row of `queries`, the classes (indices into 0..<classes) ranked by summed neighbour weight, the
    /// first `top` of them.
    public static func rankedClasses(
        reference: Matrix<Double>, labels: [Int], classes: Int, queries: Matrix<Double>, k: Int,
        distance: Distance = .cosine, temperature: Double = 0.07, epsilon: Double = 1e-5, top: Int = 5,
        threads: Int = defaultThreadCount()
    ) -> [[Int]] {
        precondition(labels.count == reference.rows, "one label per reference row")
        let k = min(k, reference.rows), d = reference.columns
        guard k > 0 else { return Array(repeating: [], count: queries.rows) }
        let train = distance == .cosine ? normalizedRows(reference) : reference
        let test = distance == .cosine ? normalizedRows(queries) : queries
        let trainNorms = (0..<train.rows).map { i in (0..<d).reduce(0.0) { $0 + train.storage[i * d + $1] * train.storage[i * d + $1] } }
        let chunk = max(1, min(test.rows, 4_000_000 / max(train.rows, 1)))
        let starts = Array(stride(from: 0, to: test.rows, by: chunk))
        let parts = BLASThreads.singleThreaded {
            parallelMap(starts.count, threads: threads) { c -> [[Int]] in
                let rows = Array(starts[c]..<min(starts[c] + chunk, test.rows))
                let q = test.selectingRows(rows)
                let dots = q.multiplied(by: train, transposeOther: true)
                return rows.indices.map { r in
                    let qNorm = (0..<d).reduce(0.0) { $0 + q.storage[r * d + $1] * q.storage[r * d + $1] }
                    var similarity = [Double](repeating: 0, count: train.rows)
                    for j in 0..<train.rows {
                        let dot = dots.storage[r * train.rows + j]
                        similarity[j] =
                            distance == .cosine ? dot : 1 / ((max(0, qNorm + trainNorms[j] - 2 * dot)).squareRoot() + epsilon)
                    }
                    let nearest = mostSimilar(similarity, k: k)
                    var votes = [Double](repeating: 0, count: classes)
                    for j in nearest {
                        votes[labels[j]] += distance == .cosine ? exp(similarity[j] / temperature) : similarity[j]
                    }
                    return Array(
                        (0..<classes).sorted { a, b in votes[a] != votes[b] ? votes[a] > votes[b] : a < b }.prefix(top))
                }
            }
        }
        return parts.flatMap { $0 }
    }

    /// Indices of the `k` largest values, largest first (ties by index), by insertion into a sorted list.
    static func mostSimilar(_ values: [Double], k: Int) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        func before(_ a: Int, _ b: Int) -> Bool { values[a] != values[b] ? values[a] > values[b] : a < b }
        for j in values.indices {
            if best.count == k, !before(j, best[k - 1]) { continue }
            var position = best.count
            while position > 0 && before(j, best[position - 1]) { position -= 1 }
            best.insert(j, at: position)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    /// Rows scaled to unit length (zero rows stay zero), as `F.normalize`.
    public static func normalizedRows(_ x: Matrix<Double>) -> Matrix<Double> {
        var out = x
        let d = x.columns
        for i in 0..<x.rows {
            let norm = (0..<d).reduce(0.0) { $0 + x.storage[i * d + $1] * x.storage[i * d + $1] }.squareRoot()
            for j in 0..<d { out.storage[i * d + j] = x.storage[i * d + j] / max(norm, 1e-12) }
        }
        return out
    }
}
