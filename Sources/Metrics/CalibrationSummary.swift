import Foundation
import Statistics

/// The calibration check `perturb eval` prints for every evaluation: medians over perturbations of how cell-like
/// the predicted cells are — significant DE genes real vs predicted (when DE was computed), the zero-fraction
/// error and the variance ratio — with a warning when they are far from real cells.
public struct CalibrationSummary: Sendable {
    public var perturbations: Int
    /// Median significant DE genes (real, predicted), when DE was computed.
    public var significantGenes: (real: Double, pred: Double)?
    public var zeroFractionError: Double
    public var varianceRatio: Double

    /// Summarizes a pair whose sides have `.moments`; `de` adds the significant-gene counts.
    init(_ pair: EvaluationPair, de: DEComparison?) throws {
        perturbations = pair.perturbations.count
        let zero = try CalibrationMetrics.zeroFractionError(pair), ratio = try CalibrationMetrics.varianceRatio(pair)
        func median(_ values: [String: Double]) -> Double { numpyMedian(values.values.filter { !$0.isNaN }) }
        zeroFractionError = median(zero)
        varianceRatio = median(ratio)
        if let de {
            let counts = DEMetrics.significantCounts(de)
            significantGenes = (median(counts.real), median(counts.pred))
        }
    }

    /// Lines for the log: the medians, then a warning for each sign that predicted cells are not cell-like.
    public func lines(unit: String?) -> [String] {
        let scope = unit.map { " (\($0))" } ?? ""
        var text =
            "calibration\(scope), median over \(perturbations) perturbations: zero-fraction error "
            + String(format: "%.4f", zeroFractionError) + ", variance ratio predicted/real " + String(format: "%.3f", varianceRatio)
        if let s = significantGenes { text += ", significant DE genes real \(Self.format(s.real)) vs predicted \(Self.format(s.pred))" }
        var out = [text]
        if !(0.5...2).contains(varianceRatio) {
            out.append(
                "warning\(scope): predicted cells are \(varianceRatio < 0.5 ? "less" : "more") spread than real ones "
                    + "(variance ratio \(String(format: "%.3f", varianceRatio))); cell-level metrics measure the generator")
        }
        if let s = significantGenes, max(s.real, s.pred) >= 3, s.pred > 3 * max(s.real, 1) || s.real > 3 * max(s.pred, 1) {
            out.append(
                "warning\(scope): predicted DE counts are far from real ones (\(Self.format(s.pred)) vs \(Self.format(s.real))); "
                    + "DE metrics may measure how the cells were generated")
        }
        return out
    }

    static func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x) }
}
