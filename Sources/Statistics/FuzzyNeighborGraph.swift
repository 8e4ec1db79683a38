import Foundation
import LinearAlgebra

/// The weighted kNN graph scanpy's `pp.neighbors` builds by default (method "umap"): each point's k nearest
/// points (itself first) by Euclidean distance, UMAP's `fuzzy_simplicial_set` membership strengths
/// exp(−(d − ρ_i)/σ_i) — ρ_i the distance to the nearest other point, σ_i found by bisection so the strengths sum to
/// log2(k) — and the fuzzy union A + Aᵀ − A∘Aᵀ. Float32 where UMAP keeps float32.
public struct FuzzyNeighborGraph: Sendable {
    /// Symmetric weights (n × n, zero diagonal).
    public let weights: Matrix<Double>

    /// The graph of the rows of `points` with `neighbors` nearest points per row, the row itself included
    /// (scanpy's `n_neighbors`).
    public init(points: Matrix<Double>, neighbors: Int) {
        let n = points.rows, k = max(1, min(neighbors, n))
        // Distances and each row's k nearest (itself first: distance 0; ties by index).
        var knnIndex = [[Int]](repeating: [], count: n), knnDistance = [[Float]](repeating: [], count: n)
        for i in 0..<n {
            let distances = (0..<n).map { j -> Double in
                if i == j { return 0 }
                var s = 0.0
                for c in 0..<points.columns { let d = points[i, c] - points[j, c]; s += d * d }
                return s.squareRoot()
            }
            let order = (0..<n).sorted { distances[$0] < distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
            var nearest = Array(order.prefix(k))
            if let self_ = nearest.firstIndex(of: i), self_ != 0 { nearest.remove(at: self_); nearest.insert(i, at: 0) }
            knnIndex[i] = nearest
            knnDistance[i] = nearest.map { Float(distances[$0]) }
        }
        let (sigmas, rhos) = Self.smoothDistances(knnDistance, k: k)
        var strengths = Matrix<Double>(rows: n, columns: n)
        for i in 0..<n {
            for (j, neighbor) in knnIndex[i].enumerated() where neighbor != i {
                let d = knnDistance[i][j]
                let value: Float = (d - rhos[i] <= 0 || sigmas[i] == 0) ? 1 : Float(exp(-(Double(d - rhos[i]) / Double(sigmas[i]))))
                strengths[i, neighbor] = Double(value)
            }
        }
        var union = Matrix<Double>(rows: n, columns: n)
        for i in 0..<n {
            for j in 0..<n where i != j {
                let a = Float(strengths[i, j]), b = Float(strengths[j, i])
                union[i, j] = Double(a + b - a * b)
            }
        }
        weights = union
    }

    /// UMAP's `smooth_knn_dist` (local connectivity 1, bandwidth 1, 64 bisection steps, tolerance 1e-5).
    static func smoothDistances(_ distances: [[Float]], k: Int) -> (sigmas: [Float], rhos: [Float]) {
        let target = log2(Double(k))
        let all = distances.flatMap { $0 }
        let meanAll = all.isEmpty ? 0 : all.reduce(0.0) { $0 + Double($1) } / Double(all.count)
        var sigmas = [Float](repeating: 0, count: distances.count), rhos = sigmas
        for (i, row) in distances.enumerated() {
            let positive = row.filter { $0 > 0 }
            if let first = positive.first { rhos[i] = first }
            var lo = 0.0, hi = Double.infinity, mid = 1.0
            for _ in 0..<64 {
                var psum = 0.0
                for d in row.dropFirst() {
                    let x = d - rhos[i]
                    psum += x > 0 ? exp(-(Double(x) / mid)) : 1
                }
                if abs(psum - target) < 1e-5 { break }
                if psum > target {
                    hi = mid
                    mid = (lo + hi) / 2
                } else {
                    lo = mid
                    mid = hi == .infinity ? mid * 2 : (lo + hi) / 2
                }
            }
            var sigma = Float(mid)
            let floor = rhos[i] > 0 ? 1e-3 * row.reduce(0.0) { $0 + Double($1) } / Double(max(row.count, 1)) : 1e-3 * meanAll
            if Double(sigma) < floor { sigma = Float(floor) }
            sigmas[i] = sigma
        }
        return (sigmas, rhos)
    }
}
