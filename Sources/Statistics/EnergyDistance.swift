import LinearAlgebra

/// Euclidean distances between groups of cells (rows of a CSR matrix), computed as scikit-learn's
/// `pairwise_distances(metric="euclidean")` does — ‖a‖² + ‖b‖² − 2a·b in float64 through matrix products,
/// clipped at 0 before the square root — on dense blocks of at most `blockRows` rows, so memory stays bounded
/// however large the groups are.
public struct CellDistances: Sendable {
    /// Rows per dense block.
    public var blockRows: Int = 256

    public init(blockRows: Int = 256) { self.blockRows = blockRows }

    /// Mean distance over all pairs (a in `rowsA` of `a`, b in `rowsB` of `b`).
    public func meanDistance(_ a: CSRMatrix, rows rowsA: [Int], _ b: CSRMatrix, rows rowsB: [Int]) -> Double {
        guard !rowsA.isEmpty, !rowsB.isEmpty else { return .nan }
        return total(a, rowsA, b, rowsB, skipDiagonal: false) / Double(rowsA.count * rowsB.count)
    }

    /// Mean distance over all ordered pairs of `rows` (the zero diagonal included in the count), as
    /// `pairwise_distances(x).mean()`.
    public func meanDistance(within a: CSRMatrix, rows: [Int]) -> Double {
        guard !rows.isEmpty else { return .nan }
        return total(a, rows, a, rows, skipDiagonal: true) / Double(rows.count * rows.count)
    }

    /// Energy distance 2·E‖X−Y‖ − E‖X−X′‖ − E‖Y−Y′‖ between two cell groups; `withinY` may pass E‖Y−Y′‖.
    public func energyDistance(_ x: CSRMatrix, rows rowsX: [Int], _ y: CSRMatrix, rows rowsY: [Int],
                               withinY: Double? = nil) -> Double {
        2 * meanDistance(x, rows: rowsX, y, rows: rowsY) - meanDistance(within: x, rows: rowsX)
            - (withinY ?? meanDistance(within: y, rows: rowsY))
    }

    private func total(_ a: CSRMatrix, _ rowsA: [Int], _ b: CSRMatrix, _ rowsB: [Int], skipDiagonal: Bool) -> Double {
        let normsA = rowsA.map { squaredNorm(a, $0) }, normsB = skipDiagonal ? normsA : rowsB.map { squaredNorm(b, $0) }
        var sum = 0.0
        for startA in stride(from: 0, to: rowsA.count, by: blockRows) {
            let blockA = Array(rowsA[startA..<min(startA + blockRows, rowsA.count)])
            let denseA = dense(a, blockA)
            for startB in stride(from: 0, to: rowsB.count, by: blockRows) {
                let blockB = Array(rowsB[startB..<min(startB + blockRows, rowsB.count)])
                let dots = denseA.multiplied(by: dense(b, blockB), transposeOther: true)
                for i in blockA.indices {
                    for j in blockB.indices {
                        if skipDiagonal && startA + i == startB + j { continue }
                        let d2 = normsA[startA + i] + normsB[startB + j] - 2 * dots.storage[i * blockB.count + j]
                        sum += max(d2, 0).squareRoot()
                    }
                }
            }
        }
        return sum
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
