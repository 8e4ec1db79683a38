import Foundation
import LinearAlgebra

/// The post-processing variants every embedding task is scored on, each computed per batch from that batch's
/// control cells (or from all its cells when it has fewer than two controls).
public enum EmbeddingVariant: String, Sendable, CaseIterable, Codable {
    /// The embedding as given.
    case raw
    /// Minus the batch's control mean.
    case centered
    /// Minus the control mean, divided by the control standard deviation (ddof 1; 1 where it is 0).
    case centerScaled = "center-scaled"
    /// Typical variation normalization: centered on the controls and PCA-whitened by the control covariance,
    /// x ↦ (x − μ) V Λ^{−1/2}, with Λ floored at 10⁻⁶ of its largest value.
    case tvn

    /// The variant applied to `x` (cells × dimensions) with `batches` and `isControl` per cell.
    public func apply(_ x: Matrix<Double>, batches: [String], isControl: (Int) -> Bool) -> Matrix<Double> {
        guard self != .raw else { return x }
        var out = x
        let d = x.columns
        var byBatch: [String: [Int]] = [:]
        for (i, b) in batches.enumerated() { byBatch[b, default: []].append(i) }
        for cells in byBatch.values {
            var reference = cells.filter(isControl)
            if reference.count < 2 { reference = cells }
            let sample = x.selectingRows(reference)
            let mean = sample.columnMeans()
            switch self {
            case .raw: break
            case .centered:
                for i in cells { for j in 0..<d { out.storage[i * d + j] -= mean[j] } }
            case .centerScaled:
                let sd = (0..<d).map { j -> Double in
                    let v = reference.reduce(0.0) { $0 + (x.storage[$1 * d + j] - mean[j]) * (x.storage[$1 * d + j] - mean[j]) }
                    let s = (v / Double(max(reference.count - 1, 1))).squareRoot()
                    return s > 0 ? s : 1
                }
                for i in cells { for j in 0..<d { out.storage[i * d + j] = (x.storage[i * d + j] - mean[j]) / sd[j] } }
            case .tvn:
                let transform = EmbeddingVariant.whitening(sample, mean: mean)
                var centered = x.selectingRows(cells)
                for r in 0..<cells.count { for j in 0..<d { centered.storage[r * d + j] -= mean[j] } }
                let whitened = centered.multiplied(by: transform)
                for (r, i) in cells.enumerated() { for j in 0..<d { out.storage[i * d + j] = whitened.storage[r * d + j] } }
            }
        }
        return out
    }

    /// V Λ^{−1/2} of the covariance of `sample` (d × d).
    static func whitening(_ sample: Matrix<Double>, mean: [Double]) -> Matrix<Double> {
        let n = sample.rows, d = sample.columns
        var centered = sample
        for r in 0..<n { for j in 0..<d { centered.storage[r * d + j] -= mean[j] } }
        var covariance = centered.multiplied(by: centered, transposeSelf: true)
        for t in covariance.storage.indices { covariance.storage[t] /= Double(max(n - 1, 1)) }
        let (values, vectors) = covariance.symmetricEigendecomposition()
        let floor = max(values.max() ?? 0, 0) * 1e-6 + 1e-12
        var transform = vectors
        for j in 0..<d {
            let scale = 1 / max(values[j], floor).squareRoot()
            for r in 0..<d { transform.storage[r * d + j] *= scale }
        }
        return transform
    }
}
