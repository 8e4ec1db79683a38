import Foundation
import LinearAlgebra
import Support

/// The Local Inverse Simpson's Index of each cell, as harmonypy's `compute_lisi` (used by Harmony and scib)
/// computes it: the `3 · perplexity` nearest neighbours (the cell itself dropped), Gaussian weights on the
/// Euclidean distances with the precision found by bisection so the weights' entropy is log(perplexity)
/// (tolerance 1e-5, at most 50 steps), then 1 / Σ_category (weight of the neighbours in that category)².
public enum LISI {
    /// Per-cell LISI of `labels` (e.g. batches) in the embedding `x` (cells × dimensions).
    public static func scores(
        _ x: Matrix<Double>, labels: [String], perplexity: Int = 30,
        threads: Int = defaultThreadCount()
    ) -> [Double] {
        precondition(labels.count == x.rows, "one label per cell")
        let (indices, distances) = NearestNeighbors.search(
            x, queries: x, k: perplexity * 3 - 1, excludeSelf: true,
            threads: threads)
        let categories = Array(Set(labels)).sorted()
        let code = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
        let labelCodes = labels.map { code[$0]! }
        let logU = Foundation.log(Double(perplexity))
        return (0..<x.rows).map { i in
            let d = distances[i]
            var beta = 1.0, betaMin = -Double.infinity, betaMax = Double.infinity
            var (h, p) = entropy(d, beta)
            var diff = h - logU
            for _ in 0..<50 {
                if abs(diff) < 1e-5 { break }
                if diff > 0 {
                    betaMin = beta
                    beta = betaMax.isFinite ? (beta + betaMax) / 2 : beta * 2
                } else {
                    betaMax = beta
                    beta = betaMin.isFinite ? (beta + betaMin) / 2 : beta / 2
                }
                (h, p) = entropy(d, beta)
                diff = h - logU
            }
            var simpson = h == 0 ? -1.0 : 0.0
            var mass = [Double](repeating: 0, count: categories.count)
            var present = [Bool](repeating: false, count: categories.count)
            for (j, neighbour) in indices[i].enumerated() {
                mass[labelCodes[neighbour]] += p[j]
                present[labelCodes[neighbour]] = true
            }
            for c in categories.indices where present[c] { simpson += mass[c] * mass[c] }
            return 1 / simpson
        }
    }

    /// Entropy and normalized weights exp(−d·β) (harmonypy's `Hbeta`); all-zero weights give H = 0.
    static func entropy(_ d: [Double], _ beta: Double) -> (Double, [Double]) {
        var p = d.map { Foundation.exp(-$0 * beta) }
        let sum = p.reduce(0, +)
        guard sum != 0 else { return (0, [Double](repeating: 0, count: d.count)) }
        var weighted = 0.0
        for j in d.indices { weighted += d[j] * p[j] }
        let h = Foundation.log(sum) + beta * weighted / sum
        for j in p.indices { p[j] /= sum }
        return (h, p)
    }
}
