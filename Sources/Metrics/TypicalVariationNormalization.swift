import Foundation
import LinearAlgebra

/// Typical variation normalization as Tx-Evaluation computes it (`tvn_on_controls`, biomodalities/data/post_process.py
/// at 1f24de0), written from its definition:
/// 1. standardize every dimension on all control cells (mean, population standard deviation; 1 where it is 0);
/// 2. rotate onto the principal axes of the control cells (centered on their mean; all axes, largest first);
/// 3. standardize again on the control cells;
/// 4. per batch, multiply by (Cov_b + 0.5·I)^−½, Cov_b the covariance (ddof 1) of the batch's control cells — a
///    symmetric inverse square root, so the batches end in one coordinate system, and the 0.5·I shrinkage keeps a
///    batch with fewer controls than dimensions finite.
///
/// Two deviations, both where the reference would divide by zero or by rounding noise: principal axes along which
/// the controls do not vary (at most controls − 1 of them carry variance) are dropped, where the reference keeps
/// them and then scales their ~1e-16 spread up to 1; and a batch with fewer than two control cells (or data with
/// fewer than two controls) uses all its cells, as the other variants do.
public enum TypicalVariationNormalization {
    /// Shrinkage added to each batch's control covariance.
    public static let shrinkage = 0.5

    /// `x` (cells × dimensions) normalized; the result has one column per principal axis the controls vary along.
    public static func apply(_ x: Matrix<Double>, batches: [String], isControl: (Int) -> Bool) -> Matrix<Double> {
        var controls = (0..<x.rows).filter(isControl)
        if controls.count < 2 { controls = Array(0..<x.rows) }
        var z = standardized(x, on: controls)
        z = PrincipalAxes.project(z, fitOn: controls).projected
        z = standardized(z, on: controls)
        let d = z.columns
        var out = z
        for (cells, reference) in EmbeddingVariant.batchReferences(batches, isControl: isControl) {
            var covariance = covarianceMatrix(z.selectingRows(reference))
            for j in 0..<d { covariance.storage[j * d + j] += shrinkage }
            let transform = inverseSquareRoot(covariance)
            let moved = z.selectingRows(cells).multiplied(by: transform)
            for (r, i) in cells.enumerated() { for j in 0..<d { out.storage[i * d + j] = moved.storage[r * d + j] } }
        }
        return out
    }

    /// Every column minus its mean over `rows`, divided by its population standard deviation there (1 where 0).
    static func standardized(_ x: Matrix<Double>, on rows: [Int]) -> Matrix<Double> {
        let d = x.columns
        let (mean, scale) = EmbeddingVariant.location(x, rows: rows)
        var out = x
        for i in 0..<x.rows { for j in 0..<d { out.storage[i * d + j] = (x.storage[i * d + j] - mean[j]) / scale[j] } }
        return out
    }

    /// The covariance (ddof 1) of the rows of `sample`, d × d.
    static func covarianceMatrix(_ sample: Matrix<Double>) -> Matrix<Double> {
        let n = sample.rows, d = sample.columns
        let mean = sample.columnMeans()
        var centered = sample
        for r in 0..<n { for j in 0..<d { centered.storage[r * d + j] -= mean[j] } }
        var covariance = centered.multiplied(by: centered, transposeSelf: true)
        for t in covariance.storage.indices { covariance.storage[t] /= Double(max(n - 1, 1)) }
        return covariance
    }

    /// V Λ^−½ Vᵀ of a symmetric positive definite matrix.
    static func inverseSquareRoot(_ m: Matrix<Double>) -> Matrix<Double> {
        let d = m.columns
        let (values, vectors) = m.symmetricEigendecomposition()
        var scaled = vectors
        for j in 0..<d {
            let s = 1 / values[j].squareRoot()
            for r in 0..<d { scaled.storage[r * d + j] *= s }
        }
        return scaled.multiplied(by: vectors, transposeOther: true)
    }
}
