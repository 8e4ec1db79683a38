import Foundation
import LinearAlgebra
import Statistics

/// Whether predicted cells look like real cells of the same perturbation, beside how close their means are: zero
/// fractions, variances, and the energy distance of the cells in gene space.
enum CalibrationMetrics {
    /// `zero_fraction_error`: mean over genes of |zero fraction predicted − real|.
    static func zeroFractionError(_ pair: EvaluationPair) throws -> [String: Double] {
        let (real, pred) = try moments(pair, "zero_fraction_error")
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let r = real[p]!.zeroFraction, q = pred[p]!.zeroFraction
            out[p] = zip(r, q).reduce(0.0) { $0 + abs($1.0 - $1.1) } / Double(max(r.count, 1))
        }
        return out
    }

    /// `variance_ratio`: median over genes with real variance > 0 of predicted variance / real variance (1 when
    /// predicted cells are as spread as real ones; NaN when no gene varies).
    static func varianceRatio(_ pair: EvaluationPair) throws -> [String: Double] {
        let (real, pred) = try moments(pair, "variance_ratio")
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let r = real[p]!.variance, q = pred[p]!.variance
            out[p] = numpyMedian(r.indices.filter { r[$0] > 0 }.map { q[$0] / r[$0] })
        }
        return out
    }

    /// `mmd_genes`: PerturBench's MMD in gene space — geomloss's energy loss (half the energy distance, distances
    /// √max(d², 1e-8)) between each perturbation's predicted and real cells on every gene.
    static func energyGenes(_ pair: EvaluationPair) throws -> [String: Double] {
        guard let real = pair.real.data, let pred = pair.pred.data else {
            throw EvaluationError.metricFailed(metric: "mmd_genes", reason: "cells were not kept")
        }
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let x = pred.expression.selectingRows(pred.groups.cellsByPerturbation[p] ?? []).toDense().converted(to: Double.self)
            let y = real.expression.selectingRows(real.groups.cellsByPerturbation[p] ?? []).toDense().converted(to: Double.self)
            out[p] = energyDistance(x, y, squaredFloor: 1e-8) / 2
        }
        return out
    }

    /// `r2_delta`: coefficient of determination of the predicted delta for the real one,
    /// 1 − Σ(real − pred)² / Σ(real − mean real)².
    static func r2Delta(_ pair: EvaluationPair) -> [String: Double] {
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let x = pair.predBulk.delta(p).map(Double.init), y = pair.realBulk.delta(p).map(Double.init)
            let mean = y.reduce(0, +) / Double(max(y.count, 1))
            let residual = zip(y, x).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            let total = y.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
            out[p] = total > 0 ? 1 - residual / total : .nan
        }
        return out
    }

    static func moments(_ pair: EvaluationPair, _ metric: String) throws -> (real: [String: CellMoments], pred: [String: CellMoments]) {
        guard let real = pair.real.cellMoments, let pred = pair.pred.cellMoments else {
            throw EvaluationError.metricFailed(metric: metric, reason: "cell moments were not computed")
        }
        return (real, pred)
    }
}
