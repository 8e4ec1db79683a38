import Foundation
import PerturbData
import Statistics
import Support

/// How well a perfect model could score on `pearson_delta`, given how noisy the real cells are: each
/// perturbation's real cells are split in two random halves (seeded by the label, so the same data gives the
/// same split), the Pearson correlation r of the two halves' deltas from the control mean is measured, and the
/// Spearman-Brown correction 2r / (1 + r) gives the reliability of the full-size delta. A model's pearson_delta
/// far below it has room to improve; one near it is limited by the data.
enum NoiseCeiling {
    /// Split-half correlation per perturbation (NaN with fewer than 4 cells).
    static func splitHalfCorrelations(_ data: PerturbationDataset) -> [String: Double] {
        let control = data.expression.columnMeans(rows: data.controlCells)
        var out: [String: Double] = [:]
        for label in data.perturbationLabels {
            let cells = data.groups.cellsByPerturbation[label] ?? []
            guard cells.count >= 4 else { out[label] = .nan; continue }
            var rng = SeededRandom(seed: stableHash(label))
            let order = rng.permutation(cells.count).map { cells[$0] }
            let half = order.count / 2
            let a = data.expression.columnMeans(rows: Array(order[..<half]))
            let b = data.expression.columnMeans(rows: Array(order[half...]))
            out[label] = pearson(zip(a, control).map { $0 - $1 }, zip(b, control).map { $0 - $1 })
        }
        return out
    }

    /// `pearson_delta_ceiling`: the Spearman-Brown corrected split-half correlation of the real deltas.
    static func ceiling(_ pair: EvaluationPair) throws -> [String: Double] {
        guard let r = pair.real.splitHalfCorrelation else {
            throw EvaluationError.metricFailed(metric: "pearson_delta_ceiling", reason: "split halves were not computed")
        }
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let x = r[p] ?? .nan
            out[p] = 2 * x / (1 + x)
        }
        return out
    }

    /// FNV-1a of a label: a seed that does not depend on which other labels exist.
    static func stableHash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }
}
