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
}

/// Library-size normalization and log1p, as scanpy's `normalize_total` and `log1p` compute them.
public enum Normalization {
    /// The target sum scanpy uses by default: the median of the non-zero per-cell totals.
    public static func medianLibrarySize(_ counts: CSRMatrix) -> Double {
        let totals = counts.rowSums().filter { $0 > 0 }.sorted()
        guard !totals.isEmpty else { return 0 }
        let mid = totals.count / 2
        return totals.count % 2 == 1 ? totals[mid] : (totals[mid - 1] + totals[mid]) / 2
    }

    /// Scales each cell to `targetSum` total (the median library size when nil); all-zero cells stay zero.
    public static func normalizeTotal(_ counts: CSRMatrix, targetSum: Double? = nil) -> CSRMatrix {
        let target = targetSum ?? medianLibrarySize(counts)
        let totals = counts.rowSums()
        var out = counts
        for r in 0..<counts.rows where totals[r] > 0 {
            let factor = target / totals[r]
            for k in counts.range(ofRow: r) { out.values[k] = Float(Double(counts.values[k]) * factor) }
        }
        out.dropExplicitZeros()
        return out
    }

    /// normalize-total then log1p: what cell-eval applies to count data before evaluating it.
    public static func logNormalize(_ counts: CSRMatrix, targetSum: Double? = nil) -> CSRMatrix {
        log1p(normalizeTotal(counts, targetSum: targetSum))
    }

    /// Natural log of 1 + x for every stored value (zeros stay zero).
    public static func log1p(_ matrix: CSRMatrix) -> CSRMatrix {
        var out = matrix
        for k in 0..<out.values.count { out.values[k] = Float(naturalLog1p(Double(out.values[k]))) }
        out.dropExplicitZeros()
        return out
    }
}

/// log(1 + x); a file-scope name so it is not shadowed by `Normalization.log1p`.
private func naturalLog1p(_ x: Double) -> Double { log1p(x) }
