import Foundation
import LinearAlgebra

/// Whether expression values are raw counts or log1p-normalized, detected as cell-eval does.
public enum ValueScale: String, Sendable, Codable, Equatable {
    /// Integer-valued counts.
    case counts
    /// log1p of normalized counts.
    case log1p

    /// Largest value accepted on the log1p scale (exclusive).
    public static let log1pLimit: Float = 15

    /// Detects the scale: if any stored value has a fractional part above `epsilon`, the data is log1p.
    public static func detect(_ matrix: CSRMatrix, epsilon: Float = 1e-3) -> ValueScale {
        matrix.values.withUnsafeBufferPointer { VectorScan.containsFraction($0, epsilon: epsilon) } ? .log1p : .counts
    }

    /// Rows that look like raw counts in a matrix with fractional values: at least 3 stored values, all integers
    /// (within `epsilon`). log1p of a count is an integer only at 0, so a normalized row essentially never qualifies
    /// (a row of 3 values by chance: about 10⁻⁸), while a counts row among log1p rows always does.
    public static func countsLikeRows(_ matrix: CSRMatrix, epsilon: Float = 1e-3) -> [Int] {
        (0..<matrix.rows).filter { r in
            let range = matrix.range(ofRow: r)
            guard range.count >= 3 else { return false }
            return range.allSatisfy { k in
                let v = matrix.values[k]
                return abs(v - v.rounded()) <= epsilon
            }
        }
    }

    /// Refuses a matrix that mixes the two scales: fractional (log1p) values in some rows, raw counts in others.
    /// Such a file passes the file-wide detection as log1p, and its counts rows then dominate every mean and DE
    /// test. Names the first offending cells. `scale` is the matrix's detected scale (`detect`).
    public static func checkUniform(_ matrix: CSRMatrix, scale: ValueScale, cellIDs: [String], path: String, field: String) throws {
        guard scale == .log1p else { return }
        let rows = countsLikeRows(matrix)
        guard !rows.isEmpty else { return }
        throw PerturbDataError.invalidValues(
            path: path, field: field,
            reason: "mixes scales: most rows are log1p-normalized (fractional values) but \(rows.count) of "
                + "\(matrix.rows) rows hold only whole numbers, as raw counts do (cells "
                + rows.prefix(5).map { "'\(cellIDs[$0])'" }.joined(separator: ", ") + (rows.count > 5 ? ", …" : "")
                + "); normalize those cells the same way first")
    }
}

/// Library-size normalization and log1p, as scanpy 1.11's `normalize_total` and `log1p` compute them on a
/// float32 CSR matrix: per-cell totals summed in float64 and stored as float32, the target the float32 median
/// of all totals, each value divided in float32 by float32(total / target), log1p in float32.
public enum Normalization {
    /// Per-cell totals as scanpy stores them (float64 sums rounded to float32).
    static func totals(_ counts: CSRMatrix) -> [Float] {
        counts.rowSums().map { Float($0) }
    }

    /// The target sum scanpy uses by default for CSR input: the median of the per-cell totals (float32).
    public static func medianLibrarySize(_ counts: CSRMatrix) -> Double {
        let sorted = totals(counts).sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return Double(sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2)
    }

    /// Scales each cell to `targetSum` total (the median library size when nil); all-zero cells stay zero.
    public static func normalizeTotal(_ counts: CSRMatrix, targetSum: Double? = nil) -> CSRMatrix {
        let target = Float(targetSum ?? medianLibrarySize(counts))
        let cellTotals = totals(counts)
        var out = counts
        for r in 0..<counts.rows where cellTotals[r] > 0 {
            let divisor = cellTotals[r] / target
            for k in counts.range(ofRow: r) { out.values[k] = counts.values[k] / divisor }
        }
        out.dropExplicitZeros()
        return out
    }

    /// normalize-total then log1p: what cell-eval applies to count data before evaluating it.
    public static func logNormalize(_ counts: CSRMatrix, targetSum: Double? = nil) -> CSRMatrix {
        log1p(normalizeTotal(counts, targetSum: targetSum))
    }

    /// Natural log of 1 + x for every stored value, in float32 as numpy's `log1p` on float32 (zeros stay zero).
    public static func log1p(_ matrix: CSRMatrix) -> CSRMatrix {
        var out = matrix
        for k in 0..<out.values.count { out.values[k] = naturalLog1p(out.values[k]) }
        out.dropExplicitZeros()
        return out
    }
}

/// log(1 + x); a file-scope name so it is not shadowed by `Normalization.log1p`.
private func naturalLog1p(_ x: Float) -> Float { log1p(x) }
