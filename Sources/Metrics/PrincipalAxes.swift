import Foundation
import LinearAlgebra

/// Dense PCA of an embedding's rows through the eigendecomposition of their covariance (d × d; embeddings have
/// at most a few hundred dimensions), as scikit-learn's `PCA` projects: centered on the fitted rows' mean.
enum PrincipalAxes {
    /// `x` centered on the mean of `rows` and projected on their principal axes, largest variance first, at most
    /// `limit` of them; axes with no variance among `rows` (below 1e-12 of the largest) are left out. Also each
    /// kept axis's share of the total variance.
    static func project(_ x: Matrix<Double>, fitOn rows: [Int], limit: Int? = nil) -> (projected: Matrix<Double>, shares: [Double]) {
        let d = x.columns
        let sample = x.selectingRows(rows)
        let mean = sample.columnMeans()
        let (values, vectors) = TypicalVariationNormalization.covarianceMatrix(sample).symmetricEigendecomposition()
        let largest = values.max() ?? 0, total = values.reduce(0) { $0 + max($1, 0) }
        let kept = Array((0..<d).reversed().filter { values[$0] > largest * 1e-12 && values[$0] > 0 }.prefix(limit ?? d))
        var axes = Matrix<Double>(rows: d, columns: kept.count)
        for (c, j) in kept.enumerated() { for r in 0..<d { axes.storage[r * kept.count + c] = vectors.storage[r * d + j] } }
        var centered = x
        for i in 0..<x.rows { for j in 0..<d { centered.storage[i * d + j] -= mean[j] } }
        return (centered.multiplied(by: axes), kept.map { total > 0 ? values[$0] / total : 0 })
    }
}
