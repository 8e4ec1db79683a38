import Foundation
import PerturbData
import Statistics
import Support

/// How well a perfect model could score on `pearson_delta`, given how noisy the real cells are. Each
/// perturbation's real cells and the control cells are split in two random halves (seeded by the label, so the
/// same data gives the same split); r is the Pearson correlation of the two half-size deltas (perturbed half
/// minus control half — independent halves, so the noise of the control mean is not shared). The
/// Spearman-Brown correction ρ = 2r / (1 + r) is the reliability of a full-size delta: the correlation two
/// replicate experiments would reach. A model that predicted the true delta exactly would correlate with the
/// observed one at √ρ (observed = truth + independent noise), which is the ceiling reported. A model far below
/// it has room to improve; one near it is limited by the data.
enum NoiseCeiling {
    /// Split-half correlation per perturbation (NaN with fewer than 4 perturbed or 4 control cells).
    static func splitHalfCorrelations(_ data: PerturbationDataset) -> [String: Double] {
        let controls = data.controlCells
        var out: [String: Double] = [:]
        for label in data.perturbationLabels {
            let cells = data.groups.cellsByPerturbation[label] ?? []
            guard cells.count >= 4, controls.count >= 4 else { out[label] = .nan; continue }
            var rng = SeededRandom(seed: stableHash(label))
            let (a, b) = halves(cells, &rng), (ca, cb) = halves(controls, &rng)
            let x = data.expression, deltaA = zip(x.columnMeans(rows: a), x.columnMeans(rows: ca)).map { $0 - $1 }
            let deltaB = zip(x.columnMeans(rows: b), x.columnMeans(rows: cb)).map { $0 - $1 }
            out[label] = pearson(deltaA, deltaB)
        }
        return out
    }

    /// A seeded split of `cells` into two halves (the second one larger by one when the count is odd).
    static func halves(_ cells: [Int], _ rng: inout SeededRandom) -> ([Int], [Int]) {
        let order = rng.permutation(cells.count).map { cells[$0] }
        return (Array(order[..<(order.count / 2)]), Array(order[(order.count / 2)...]))
    }

    /// `pearson_delta_ceiling`: √ρ with ρ = 2r/(1 + r) the Spearman-Brown corrected split-half correlation (0
    /// when ρ ≤ 0: the real delta is noise).
    static func ceiling(_ pair: EvaluationPair) throws -> [String: Double] {
        guard let r = pair.real.splitHalfCorrelation else {
            throw EvaluationError.metricFailed(metric: "pearson_delta_ceiling", reason: "split halves were not computed")
        }
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let x = r[p] ?? .nan
            let reliability = 2 * x / (1 + x)
            out[p] = x.isNaN ? .nan : (reliability > 0 ? reliability.squareRoot() : 0)
        }
        return out
    }
}
