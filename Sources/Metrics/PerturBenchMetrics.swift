import Foundation
import Statistics

/// PerturBench's metrics as its 2025 evaluation code computes them (altoslabs/perturbench at c84038b; docs/DESIGN.md
/// §5.3), on the stored log1p values, checked against a golden fixture computed with that code.
enum PerturBenchMetrics {
    /// Pseudocount of PerturBench's log fold changes.
    static let pseudocount: Float = 0.1

    /// `mmd_pca`: geomloss `SamplesLoss("energy")` between each perturbation's predicted and real cells on the real
    /// cells' principal axes — half the energy distance, every pairwise distance √max(d², 1e-8), the diagonal
    /// included.
    static func mmdPCA(_ pair: EvaluationPair) throws -> [String: Double] {
        guard let real = pair.real.projections, let pred = pair.pred.projections else {
            throw EvaluationError.metricFailed(metric: "mmd_pca", reason: "PCA projections were not computed")
        }
        var out: [String: Double] = [:]
        for p in pair.perturbations { out[p] = energyDistance(pred[p]!, real[p]!, squaredFloor: 1e-8) / 2 }
        return out
    }

    /// `deg_recall` (PerturBench's `top_k_recall`): the share of the real top-50 genes by |t| against the real
    /// controls that are also among the predicted top 50 (predicted cells against the same real controls).
    static func degRecall(_ pair: EvaluationPair, top: Int = EvaluationSide.degTop) throws -> [String: Double] {
        guard let real = pair.real.topGenes, let pred = pair.pred.topGenes else {
            throw EvaluationError.metricFailed(metric: "deg_recall", reason: "t rankings were not computed")
        }
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let r = Set(real[p]!.prefix(top)), q = Set(pred[p]!.prefix(top))
            out[p] = Double(r.intersection(q).count) / Double(min(top, pair.genes.count))
        }
        return out
    }

    enum Fit { case rmse, cosine, pearson }

    /// log2(mean + 0.1) − log2(control mean + 0.1) of one side's mean, against the **real** control mean (both
    /// sides use it, as PerturBench does).
    static func logFoldChange(_ mean: [Float], control: [Float]) -> [Double] {
        zip(mean, control).map { log2(Double($0 + pseudocount)) - log2(Double($1 + pseudocount)) }
    }

    /// Distance between a prediction and a truth under each fit (lower is closer): RMSE of means, 1 − cosine of
    /// log fold changes, 1 − Pearson of deltas.
    static func distance(_ fit: Fit, pred: [Double], real: [Double]) -> Double {
        switch fit {
        case .rmse: return (zip(pred, real).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(pred.count)).squareRoot()
        case .cosine: return 1 - cosine(pred, real)
        case .pearson: return 1 - pearson(pred, real)
        }
    }

    /// The vectors each fit compares, per perturbation: means (rmse), log fold changes against the real control
    /// (cosine), deltas from each side's own control (pearson, as cell-eval's `pearson_delta`).
    static func vectors(_ pair: EvaluationPair, _ fit: Fit) -> (pred: [String: [Double]], real: [String: [Double]]) {
        let control = pair.realBulk.mean(pair.real.controlLabel)
        var pred: [String: [Double]] = [:], real: [String: [Double]] = [:]
        for p in pair.perturbations {
            switch fit {
            case .rmse:
                pred[p] = pair.predBulk.mean(p).map(Double.init)
                real[p] = pair.realBulk.mean(p).map(Double.init)
            case .cosine:
                pred[p] = logFoldChange(pair.predBulk.mean(p), control: control)
                real[p] = logFoldChange(pair.realBulk.mean(p), control: control)
            case .pearson:
                pred[p] = pair.predBulk.delta(p).map(Double.init)
                real[p] = pair.realBulk.delta(p).map(Double.init)
            }
        }
        return (pred, real)
    }

    /// `rmse` of pseudobulk means, `cosine_logfc` of log fold changes.
    static func fit(_ pair: EvaluationPair, _ fit: Fit) -> [String: Double] {
        let (pred, real) = vectors(pair, fit)
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let d = distance(fit, pred: pred[p]!, real: real[p]!)
            out[p] = fit == .rmse ? d : 1 - d
        }
        return out
    }

    /// Rank metric: for truth i, the position of its own prediction p̂_i among all predictions ordered by closeness
    /// to x_i, ÷(P − 1); 0 is perfect, 0.5 random. PerturBench shuffles before a stable sort, so a prediction tied
    /// with p̂_i is ahead of it half the time: the value reported is that expectation,
    /// (#{j ≠ i: d_j < d_i} + ½·#{j ≠ i: d_j = d_i}) / (P − 1).
    static func rank(_ pair: EvaluationPair, _ fit: Fit) -> [String: Double] {
        let perts = pair.perturbations
        let (pred, real) = vectors(pair, fit)
        var out: [String: Double] = [:]
        guard perts.count > 1 else { for p in perts { out[p] = 0 }; return out }
        for p in perts {
            let own = distance(fit, pred: pred[p]!, real: real[p]!)
            var closer = 0.0
            for q in perts where q != p {
                let d = distance(fit, pred: pred[q]!, real: real[p]!)
                if d < own { closer += 1 } else if d == own { closer += 0.5 }
            }
            out[p] = closer / Double(perts.count - 1)
        }
        return out
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) { ab += x * y; aa += x * x; bb += y * y }
        guard aa > 0, bb > 0 else { return .nan }
        return ab / (aa.squareRoot() * bb.squareRoot())
    }
}
