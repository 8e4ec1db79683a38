import Foundation
import LinearAlgebra

/// The post-processing variants every embedding task is scored on, each computed from the control cells, per batch
/// (from all a batch's cells when it has fewer than two controls).
public enum EmbeddingVariant: String, Sendable, CaseIterable, Codable {
    /// The embedding as given.
    case raw
    /// Minus the batch's control mean.
    case centered
    /// Minus the control mean, divided by the control population standard deviation (ddof 0, as the reference's
    /// StandardScaler; 1 where it is 0).
    case centerScaled = "center-scaled"
    /// Typical variation normalization as Tx-Evaluation computes it (`TypicalVariationNormalization`): standardized
    /// and rotated onto the principal axes of all controls, standardized again, then per batch × (Cov_b + 0.5·I)^−½.
    case tvn

    /// The variant applied to `x` (cells × dimensions) with `batches` and `isControl` per cell.
    public func apply(_ x: Matrix<Double>, batches: [String], isControl: (Int) -> Bool) -> Matrix<Double> {
        guard self != .raw else { return x }
        if self == .tvn { return TypicalVariationNormalization.apply(x, batches: batches, isControl: isControl) }
        var out = x
        let d = x.columns
        for (cells, reference) in Self.batchReferences(batches, isControl: isControl) {
            let (mean, scale) = Self.location(x, rows: reference)
            for i in cells {
                for j in 0..<d {
                    let centered = x.storage[i * d + j] - mean[j]
                    out.storage[i * d + j] = self == .centerScaled ? centered / scale[j] : centered
                }
            }
        }
        return out
    }

    /// Each batch's cells with the cells its statistics come from: its controls, or all its cells when it has
    /// fewer than two controls.
    static func batchReferences(_ batches: [String], isControl: (Int) -> Bool) -> [(cells: [Int], reference: [Int])] {
        var byBatch: [String: [Int]] = [:]
        for (i, b) in batches.enumerated() { byBatch[b, default: []].append(i) }
        return byBatch.keys.sorted().map { b in
            let cells = byBatch[b]!, controls = cells.filter(isControl)
            return (cells, controls.count < 2 ? cells : controls)
        }
    }

    /// Each column's mean over `rows` and its population standard deviation there (ddof 0, as scikit-learn's
    /// StandardScaler; 1 where it is 0).
    static func location(_ x: Matrix<Double>, rows: [Int]) -> (mean: [Double], scale: [Double]) {
        let d = x.columns, n = Double(rows.count)
        var mean = [Double](repeating: 0, count: d), variance = mean
        for i in rows { for j in 0..<d { mean[j] += x.storage[i * d + j] } }
        for j in 0..<d { mean[j] /= n }
        for i in rows {
            for j in 0..<d {
                let v = x.storage[i * d + j] - mean[j]
                variance[j] += v * v
            }
        }
        return (
            mean,
            variance.map { v in
                let s = (v / n).squareRoot()
                return s > 0 ? s : 1
            }
        )
    }
}
