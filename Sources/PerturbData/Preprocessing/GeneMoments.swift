import LinearAlgebra

/// Per-gene mean and unbiased variance as scanpy's `_get_mean_var` computes them on a float32 CSR matrix:
/// sums and sums of float32 squares accumulated in float64, `var = (E[x²] − mean²) · n / (n − 1)`.
public struct GeneMoments: Sendable, Equatable {
    /// Mean of each gene.
    public var mean: [Double]
    /// Unbiased (ddof = 1) variance of each gene.
    public var variance: [Double]

    /// Moments over all rows of `matrix`, or over the rows in `subset`; `transform` is applied to each stored
    /// value first (scanpy's seurat flavor takes `expm1` of log data in float32).
    public init(_ matrix: CSRMatrix, rows subset: [Int]? = nil, transform: ((Float) -> Float)? = nil) {
        var sums = [Double](repeating: 0, count: matrix.columns)
        var squares = sums
        let rowList = subset ?? Array(0..<matrix.rows)
        matrix.values.withUnsafeBufferPointer { values in
            matrix.columnIndices.withUnsafeBufferPointer { columns in
                for r in rowList {
                    for k in matrix.range(ofRow: r) {
                        let v = transform?(values[k]) ?? values[k]
                        let c = Int(columns[k])
                        sums[c] += Double(v)
                        squares[c] += Double(v * v)
                    }
                }
            }
        }
        let n = Double(rowList.count)
        let mean = sums.map { $0 / n }
        self.mean = mean
        variance = (0..<matrix.columns).map { c in
            let m = mean[c]
            let v = squares[c] / n - m * m
            return n > 1 ? v * (n / (n - 1)) : v
        }
    }
}
