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
        var byBatch: [String: [Int]] = [:]
        for (i, b) in batches.enumerated() { byBatch[b, default: []].append(i) }
        for cells in byBatch.values {
            var reference = cells.filter(isControl)
            if reference.count < 2 { reference = cells }
            let sample = x.selectingRows(reference)
            let mean = sample.columnMeans()
            switch self {
            case .raw, .tvn: break
            case .centered:
                for i in cells { for j in 0..<d { out.storage[i * d + j] -= mean[j] } }
            case .centerScaled:
                let sd = (0..<d).map { j -> Double in
                    let v = reference.reduce(0.0) { $0 + (x.storage[$1 * d + j] - mean[j]) * (x.storage[$1 * d + j] - mean[j]) }
                    let s = (v / Double(reference.count)).squareRoot()
                    return s > 0 ? s : 1
                }
                for i in cells { for j in 0..<d { out.storage[i * d + j] = (x.storage[i * d + j] - mean[j]) / sd[j] } }
            }
        }
        return out
    }
}
