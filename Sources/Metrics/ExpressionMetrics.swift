import Foundation
import LinearAlgebra
import Statistics

/// cell-eval 0.8.2's pseudobulk and cell-level metrics (`cell_eval/metrics/_anndata.py`).
enum ExpressionMetrics {
    /// `pearson_delta`, `mse`, `mae`, `mse_delta`, `mae_delta` for every perturbation.
    static func perPerturbation(_ pair: EvaluationPair, _ name: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let useDelta = name != "mse" && name != "mae"
            let x = useDelta ? pair.predBulk.delta(p) : pair.predBulk.mean(p)
            let y = useDelta ? pair.realBulk.delta(p) : pair.realBulk.mean(p)
            switch name {
            case "pearson_delta": out[p] = pearson(x.map(Double.init), y.map(Double.init))
            case "mse", "mse_delta": out[p] = zip(x, y).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(x.count)
            default: out[p] = zip(x, y).reduce(0.0) { $0 + abs(Double($1.0 - $1.1)) } / Double(x.count)
            }
        }
        return out
    }

    /// Distance used by the discrimination score.
    enum Distance: String { case l1, l2, cosine }

    /// `discrimination_score_{l1,l2,cosine}`: 1 − rank/N of the true perturbation among all real deltas sorted by
    /// distance to the predicted delta; the gene named after the perturbation is left out of both sides.
    static func discrimination(_ pair: EvaluationPair, distance: Distance, embedded: Bool) throws -> [String: Double] {
        let realBulk: Pseudobulk, predBulk: Pseudobulk
        if embedded && distance != .l1 {
            guard let r = pair.real.embeddingBulk, let q = pair.pred.embeddingBulk else {
                throw EvaluationError.metricFailed(metric: "discrimination_score_\(distance)", reason: "no embedding loaded")
            }
            realBulk = r
            predBulk = q
        } else {
            realBulk = pair.realBulk; predBulk = pair.predBulk
        }
        let useGenes = !(embedded && distance != .l1)
        let perts = pair.perturbations
        let real = perts.map { realBulk.delta($0).map(Double.init) }
        let geneIndex = Dictionary(pair.genes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String: Double] = [:]
        for (i, p) in perts.enumerated() {
            let pred = predBulk.delta(p).map(Double.init)
            let excluded = useGenes ? geneIndex[p] : nil
            let distances = real.map { dist($0, pred, excluded: excluded, distance) }
            let order = distances.indices.sorted { distances[$0] < distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
            let rank = order.firstIndex(of: i)!
            out[p] = 1 - Double(rank) / Double(perts.count)
        }
        return out
    }

    private static func dist(_ a: [Double], _ b: [Double], excluded: Int?, _ d: Distance) -> Double {
        var s = 0.0, aa = 0.0, bb = 0.0
        for j in a.indices where j != excluded {
            switch d {
            case .l1: s += abs(a[j] - b[j])
            case .l2: s += (a[j] - b[j]) * (a[j] - b[j])
            case .cosine: s += a[j] * b[j]; aa += a[j] * a[j]; bb += b[j] * b[j]
            }
        }
        switch d {
        case .l1: return s
        case .l2: return s.squareRoot()
        case .cosine:
            let na = aa.squareRoot(), nb = bb.squareRoot()
            return 1 - (na > 0 ? (nb > 0 ? s / (na * nb) : 0) : 0)
        }
    }

    /// `pearson_edistance`: Pearson across perturbations of real vs predicted energy distance between each
    /// perturbation's cells and the control cells of the same file.
    static func pearsonEnergyDistance(_ pair: EvaluationPair) throws -> Double {
        guard let real = pair.real.energyToControl, let pred = pair.pred.energyToControl else {
            throw EvaluationError.metricFailed(metric: "pearson_edistance", reason: "energy distances were not computed")
        }
        return pearson(pair.perturbations.map { Double(real[$0]!) }, pair.perturbations.map { Double(pred[$0]!) })
    }
}
