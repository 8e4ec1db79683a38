import Foundation
import Statistics

/// PerturBench's metrics (docs/DESIGN.md §5.3), computed on pseudobulks of the log1p data.
enum PerturBenchMetrics {
    /// `mmd_pca`: energy distance between each perturbation's predicted and real cells on the top 256 principal
    /// axes of the real cells.
    static func mmdPCA(_ pair: EvaluationPair) throws -> [String: Double] {
        guard let real = pair.real.projections, let pred = pair.pred.projections else {
            throw EvaluationError.metricFailed(metric: "mmd_pca", reason: "PCA projections were not computed")
        }
        var out: [String: Double] = [:]
        for p in pair.perturbations { out[p] = energyDistance(pred[p]!, real[p]!) }
        return out
    }

    /// `deg_recall`: overlap of the top 20 genes by Welch t (perturbation vs control) in real and predicted
    /// data, divided by 20.
    static func degRecall(_ pair: EvaluationPair, top: Int = EvaluationSide.welchTop) throws -> [String: Double] {
        guard let real = pair.real.topWelchGenes, let pred = pair.pred.topWelchGenes else {
            throw EvaluationError.metricFailed(metric: "deg_recall", reason: "Welch t rankings were not computed")
        }
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let r = Set(real[p]!.prefix(top)), q = Set(pred[p]!.prefix(top))
            out[p] = Double(r.intersection(q).count) / Double(min(top, pair.genes.count))
        }
        return out
    }

    enum Fit { case rmse, cosine, pearson }

    /// Distance between a prediction and a truth under each fit (lower is closer).
    static func distance(_ fit: Fit, predMean: [Float], realMean: [Float], predDelta: [Float], realDelta: [Float]) -> Double {
        switch fit {
        case .rmse:
            return (zip(predMean, realMean).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(predMean.count))
                .squareRoot()
        case .cosine: return 1 - cosine(predDelta, realDelta)
        case .pearson: return 1 - pearson(predDelta.map(Double.init), realDelta.map(Double.init))
        }
    }

    /// `rmse` of pseudobulk means, `cosine_logfc` of the deltas from control.
    static func fit(_ pair: EvaluationPair, _ fit: Fit) -> [String: Double] {
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            switch fit {
            case .rmse:
                out[p] = distance(.rmse, predMean: pair.predBulk.mean(p), realMean: pair.realBulk.mean(p), predDelta: [], realDelta: [])
            case .cosine: out[p] = cosine(pair.predBulk.delta(p), pair.realBulk.delta(p))
            case .pearson: out[p] = pearson(pair.predBulk.delta(p).map(Double.init), pair.realBulk.delta(p).map(Double.init))
            }
        }
        return out
    }

    /// Rank metric: for truth i, the share of other predictions j at least as close to x_i as p̂_i
    /// ((1/(P−1)) Σ_{j≠i} 1[d(p̂_j, x_i) ≤ d(p̂_i, x_i)]); 0 is perfect, 0.5 random.
    static func rank(_ pair: EvaluationPair, _ fit: Fit) -> [String: Double] {
        let perts = pair.perturbations
        let predMeans = perts.map { pair.predBulk.mean($0) }, realMeans = perts.map { pair.realBulk.mean($0) }
        let predDeltas = perts.map { pair.predBulk.delta($0) }, realDeltas = perts.map { pair.realBulk.delta($0) }
        var out: [String: Double] = [:]
        guard perts.count > 1 else { for p in perts { out[p] = 0 }; return out }
        for i in perts.indices {
            let d = { (j: Int) in
                distance(fit, predMean: predMeans[j], realMean: realMeans[i], predDelta: predDeltas[j], realDelta: realDeltas[i])
            }
            let own = d(i)
            let closer = perts.indices.filter { $0 != i && d($0) <= own }.count
            out[perts[i]] = Double(closer) / Double(perts.count - 1)
        }
        return out
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) { ab += Double(x) * Double(y); aa += Double(x) * Double(x); bb += Double(y) * Double(y) }
        guard aa > 0, bb > 0 else { return .nan }
        return ab / (aa.squareRoot() * bb.squareRoot())
    }
}
