import Foundation

extension PCA {
    /// The exact top `count` principal axes of rows `rows` of `x`: the dense feature covariance (one BLAS
    /// product of the centered rows) and LAPACK's symmetric eigensolver. For inputs where features × rows is
    /// small enough to densify; `fit` (randomized) is for the rest.
    public static func fitExact(_ x: CSRMatrix, rows: [Int], components count: Int) -> PCA {
        let n = rows.count, g = x.columns
        var dense = Matrix<Double>(rows: n, columns: g)
        for (i, r) in rows.enumerated() {
            for e in x.range(ofRow: r) { dense.storage[i * g + Int(x.columnIndices[e])] = Double(x.values[e]) }
        }
        let mean = dense.columnMeans()
        for i in 0..<n { for j in 0..<g { dense.storage[i * g + j] -= mean[j] } }
        let k = max(0, min(count, n - 1, g))
        guard k > 0 else { return PCA(mean: mean, components: Matrix(rows: 0, columns: g), variances: []) }
        let scatter = dense.multiplied(by: dense, transposeSelf: true)  // g × g
        let (values, vectors) = symmetricEigen(scatter)  // ascending, eigenvectors in columns
        let largest = max(values.last ?? 0, 0)
        let kept = (0..<k).filter { values[g - 1 - $0] > largest * 1e-10 }.count
        var axes = Matrix<Double>(rows: kept, columns: g)
        var variances: [Double] = []
        for c in 0..<kept {
            let source = g - 1 - c
            variances.append(values[source] / Double(max(n - 1, 1)))
            // Sign convention: the largest-magnitude loading is positive (so results do not flip between runs).
            var column = (0..<g).map { vectors.storage[$0 * g + source] }
            if let big = column.indices.max(by: { abs(column[$0]) < abs(column[$1]) }), column[big] < 0 {
                column = column.map { -$0 }
            }
            for j in 0..<g { axes.storage[c * g + j] = column[j] }
        }
        return PCA(mean: mean, components: axes, variances: variances)
    }
}

extension Matrix where Scalar == Double {
    /// Eigenvalues (ascending) and eigenvectors (as columns) of this symmetric matrix (LAPACK `dsyevd`).
    public func symmetricEigendecomposition() -> (values: [Double], vectors: Matrix<Double>) {
        PCA.symmetricEigen(self)
    }
}
