import LinearAlgebra

/// Euclidean distances between groups of cells (rows of a CSR matrix), computed as scikit-learn's
/// `pairwise_distances(metric="euclidean")` does for float32 input — ‖a‖² + ‖b‖² − 2a·b in float64 through
/// matrix products, stored as float32, clipped at 0 before the square root — on dense blocks of at most
/// `blockRows` rows, so memory stays bounded however large the groups are.
public struct CellDistances: Sendable {
    /// Rows per dense block.
    public var blockRows: Int = 256

    public init(blockRows: Int = 256) { self.blockRows = blockRows }

    /// Mean distance as scikit-learn computes it for float32 input — squared distances (−2a·b + ‖a‖² + ‖b‖²,
    /// float64) stored as float32, clipped at 0, square-rooted in float32, diagonal zeroed for `within`, then
    /// numpy's float32 pairwise mean over the row-major matrix. This is what cell-eval's `pearson_edistance`
    /// sees; it differs from the float64 mean in the 7th digit.
    public func float32MeanDistance(
        _ a: CSRMatrix, rows rowsA: [Int], _ b: CSRMatrix, rows rowsB: [Int],
        within: Bool
    ) -> Float {
        guard !rowsA.isEmpty, !rowsB.isEmpty else { return .nan }
        let normsA = rowsA.map { squaredNorm(a, $0) }, normsB = within ? normsA : rowsB.map { squaredNorm(b, $0) }
        var distances = [Float](repeating: 0, count: rowsA.count * rowsB.count)
        visitDots(a, rowsA, b, rowsB) { row, column, dot in
            if within && row == column { return }
            let d2 = Float((-2 * dot + normsA[row]) + normsB[column])
            distances[row * rowsB.count + column] = max(d2, 0).squareRoot()
        }
        let sum = distances.withUnsafeBufferPointer { numpyPairwiseSum($0) }
        return sum / Float(distances.count)
    }

    /// Energy distance in float32 from `float32MeanDistance`, as cell-eval computes it.
    public func float32EnergyDistance(
        _ x: CSRMatrix, rows rowsX: [Int], _ y: CSRMatrix, rows rowsY: [Int],
        withinY: Float
    ) -> Float {
        let cross = float32MeanDistance(x, rows: rowsX, y, rows: rowsY, within: false)
        let withinX = float32MeanDistance(x, rows: rowsX, x, rows: rowsX, within: true)
        return 2 * cross - withinX - withinY
    }

    /// Calls `body(i, j, a_i · b_j)` for every pair, computing the dot products block by block with BLAS.
    private func visitDots(
        _ a: CSRMatrix, _ rowsA: [Int], _ b: CSRMatrix, _ rowsB: [Int],
        _ body: (Int, Int, Double) -> Void
    ) {
        for startA in stride(from: 0, to: rowsA.count, by: blockRows) {
            let blockA = Array(rowsA[startA..<min(startA + blockRows, rowsA.count)])
            let denseA = dense(a, blockA)
            for startB in stride(from: 0, to: rowsB.count, by: blockRows) {
                let blockB = Array(rowsB[startB..<min(startB + blockRows, rowsB.count)])
                let dots = denseA.multiplied(by: dense(b, blockB), transposeOther: true)
                for i in blockA.indices {
                    for j in blockB.indices { body(startA + i, startB + j, dots.storage[i * blockB.count + j]) }
                }
            }
        }
    }

    private func dense(_ m: CSRMatrix, _ rows: [Int]) -> Matrix<Double> {
        var out = Matrix<Double>(rows: rows.count, columns: m.columns)
        for (i, r) in rows.enumerated() {
            for k in m.range(ofRow: r) { out.storage[i * m.columns + Int(m.columnIndices[k])] = Double(m.values[k]) }
        }
        return out
    }

    private func squaredNorm(_ m: CSRMatrix, _ r: Int) -> Double {
        var s = 0.0
        for k in m.range(ofRow: r) { let v = Double(m.values[k]); s += v * v }
        return s
    }
}

/// numpy's pairwise summation of float32 values (8 accumulators within blocks of ≤ 128, halving above), the
/// order `np.sum` / `np.mean` use on a contiguous float32 array.
public func numpyPairwiseSum(_ a: UnsafeBufferPointer<Float>) -> Float {
    let n = a.count
    if n < 8 {
        var s: Float = 0
        for v in a { s += v }
        return s
    }
    if n <= 128 {
        var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
        var i = 8
        while i < n - n % 8 {
            r.0 += a[i]; r.1 += a[i + 1]; r.2 += a[i + 2]; r.3 += a[i + 3]
            r.4 += a[i + 4]; r.5 += a[i + 5]; r.6 += a[i + 6]; r.7 += a[i + 7]
            i += 8
        }
        var s = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
        while i < n { s += a[i]; i += 1 }
        return s
    }
    var half = n / 2
    half -= half % 8
    return numpyPairwiseSum(UnsafeBufferPointer(rebasing: a[0..<half]))
        + numpyPairwiseSum(UnsafeBufferPointer(rebasing: a[half..<n]))
}

/// Energy distance between the rows of two dense matrices (Euclidean, float64): 2·E‖X−Y‖ − E‖X−X′‖ − E‖Y−Y′‖,
/// with the zero diagonal counted in the within-set means (as `pairwise_distances(x).mean()`). With a
/// `squaredFloor`, every distance is √max(d², floor), the diagonal included, as geomloss computes them.
public func energyDistance(_ x: Matrix<Double>, _ y: Matrix<Double>, squaredFloor: Double = 0) -> Double {
    func meanDistance(_ a: Matrix<Double>, _ b: Matrix<Double>, within: Bool) -> Double {
        guard a.rows > 0, b.rows > 0 else { return .nan }
        let dots = a.multiplied(by: b, transposeOther: true)
        let na = (0..<a.rows).map { r in (0..<a.columns).reduce(0.0) { $0 + a[r, $1] * a[r, $1] } }
        let nb = (0..<b.rows).map { r in (0..<b.columns).reduce(0.0) { $0 + b[r, $1] * b[r, $1] } }
        var total = 0.0
        for i in 0..<a.rows {
            for j in 0..<b.rows {
                if within && i == j { total += squaredFloor.squareRoot(); continue }
                total += max(na[i] + nb[j] - 2 * dots[i, j], squaredFloor).squareRoot()
            }
        }
        return total / Double(a.rows * b.rows)
    }
    return 2 * meanDistance(x, y, within: false) - meanDistance(x, x, within: true) - meanDistance(y, y, within: true)
}
