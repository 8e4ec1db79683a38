import CLAPACK
import Foundation
import Support

/// Principal axes of the rows of a sparse matrix, found by randomized subspace iteration (Halko, Martinsson &
/// Tropp 2011) without ever densifying or centering the matrix: centering enters every product as a rank-one
/// correction. Deterministic for a seed.
public struct PCA: Sendable {
    /// Column means of the fitted rows.
    public let mean: [Double]
    /// Principal axes as orthonormal rows (components × features), by decreasing variance.
    public let components: Matrix<Double>
    /// Variance along each axis.
    public let variances: [Double]

    /// Fits the top `count` axes of rows `rows` of `x` (count is capped at min(rows − 1, columns) and at the
    /// rank of the centered rows).
    public static func fit(
        _ x: CSRMatrix, rows: [Int], components count: Int, oversample: Int = 10,
        iterations: Int = 3, seed: UInt64 = 0
    ) -> PCA {
        let n = rows.count, g = x.columns
        let k = max(0, min(count, n - 1, g))
        var mean = [Double](repeating: 0, count: g)
        for r in rows { for e in x.range(ofRow: r) { mean[Int(x.columnIndices[e])] += Double(x.values[e]) } }
        for j in 0..<g { mean[j] /= Double(max(n, 1)) }
        guard k > 0 else { return PCA(mean: mean, components: Matrix(rows: 0, columns: g), variances: []) }
        let l = min(k + oversample, min(n, g))
        var generator = GaussianTestMatrix(seed: seed)
        var omega = Matrix<Double>(rows: g, columns: l)
        for i in omega.storage.indices { omega.storage[i] = generator.normal() }
        var q = orthonormalized(centeredProduct(x, rows, mean, omega))  // n × l
        for _ in 0..<iterations {
            let z = orthonormalized(centeredTransposeProduct(x, rows, mean, q))  // g × l
            q = orthonormalized(centeredProduct(x, rows, mean, z))
        }
        let bt = centeredTransposeProduct(x, rows, mean, q)  // g × l = (QᵀA)ᵀ
        let gram = bt.multiplied(by: bt, transposeSelf: true)  // l × l = B Bᵀ
        let (values, vectors) = symmetricEigen(gram)  // ascending
        // Axes with (numerically) no variance are dropped: the data's rank is below `count`.
        let largest = max(values.last ?? 0, 0)
        let kept = (0..<k).filter { values[l - 1 - $0] > largest * 1e-10 }.count
        var axes = Matrix<Double>(rows: kept, columns: g)
        var variances: [Double] = []
        let projected = bt.multiplied(by: vectors)  // g × l: Bᵀ U
        for c in 0..<kept {
            let source = l - 1 - c
            let lambda = values[source]
            variances.append(lambda / Double(max(n - 1, 1)))
            let scale = 1 / lambda.squareRoot()
            for j in 0..<g { axes.storage[c * g + j] = projected.storage[j * l + source] * scale }
        }
        return PCA(mean: mean, components: axes, variances: variances)
    }

    /// Coordinates of rows `rows` of `x` on the axes (rows × components).
    public func transform(_ x: CSRMatrix, rows: [Int]) -> Matrix<Double> {
        let axesT = components.transposed()  // g × k
        return PCA.centeredProduct(x, rows, mean, axesT)
    }

    /// (X[rows] − 1·meanᵀ) · m for m features × c.
    static func centeredProduct(_ x: CSRMatrix, _ rows: [Int], _ mean: [Double], _ m: Matrix<Double>) -> Matrix<Double> {
        let c = m.columns
        var out = Matrix<Double>(rows: rows.count, columns: c)
        var shift = [Double](repeating: 0, count: c)
        for j in 0..<m.rows where mean[j] != 0 { for t in 0..<c { shift[t] += mean[j] * m.storage[j * c + t] } }
        out.storage.withUnsafeMutableBufferPointer { o in
            m.storage.withUnsafeBufferPointer { mm in
                for (i, r) in rows.enumerated() {
                    for t in 0..<c { o[i * c + t] = -shift[t] }
                    for e in x.range(ofRow: r) {
                        let v = Double(x.values[e]), base = Int(x.columnIndices[e]) * c
                        for t in 0..<c { o[i * c + t] += v * mm[base + t] }
                    }
                }
            }
        }
        return out
    }

    /// (X[rows] − 1·meanᵀ)ᵀ · m for m rows × c.
    static func centeredTransposeProduct(_ x: CSRMatrix, _ rows: [Int], _ mean: [Double], _ m: Matrix<Double>) -> Matrix<Double> {
        let c = m.columns
        var out = Matrix<Double>(rows: x.columns, columns: c)
        var sums = [Double](repeating: 0, count: c)
        for i in 0..<m.rows { for t in 0..<c { sums[t] += m.storage[i * c + t] } }
        out.storage.withUnsafeMutableBufferPointer { o in
            m.storage.withUnsafeBufferPointer { mm in
                for (i, r) in rows.enumerated() {
                    for e in x.range(ofRow: r) {
                        let v = Double(x.values[e]), base = Int(x.columnIndices[e]) * c
                        for t in 0..<c { o[base + t] += v * mm[i * c + t] }
                    }
                }
                for j in 0..<x.columns where mean[j] != 0 { for t in 0..<c { o[j * c + t] -= mean[j] * sums[t] } }
            }
        }
        return out
    }

    /// An orthonormal basis of the columns of `m` (thin QR through LAPACK).
    static func orthonormalized(_ m: Matrix<Double>) -> Matrix<Double> {
        var a = m
        let rows = Int32(m.rows), cols = Int32(m.columns)
        var tau = [Double](repeating: 0, count: max(1, m.columns))
        a.storage.withUnsafeMutableBufferPointer { p in
            _ = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, rows, cols, p.baseAddress, cols, &tau)
            _ = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, rows, cols, cols, p.baseAddress, cols, &tau)
        }
        return a
    }

    /// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix.
    static func symmetricEigen(_ m: Matrix<Double>) -> ([Double], Matrix<Double>) {
        var a = m
        var w = [Double](repeating: 0, count: m.rows)
        let n = Int32(m.rows)
        a.storage.withUnsafeMutableBufferPointer { p in
            _ = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), n, p.baseAddress, n, &w)
        }
        return (w, a)
    }
}

/// Box–Muller normals from the SplitMix64 sequence: the random test matrix of the randomized PCA.
struct GaussianTestMatrix {
    private var bits: SplitMix64
    init(seed: UInt64) { bits = SplitMix64(state: seed ^ 0x9E37_79B9_7F4A_7C15) }
    mutating func uniform() -> Double { (Double(bits.next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
}
