import Foundation
import Statistics

/// The DE-based metrics of cell-eval 0.8.2 (`cell_eval/metrics/_de.py`), one function per metric family.
/// Per-perturbation results map perturbation → value; a perturbation absent from the map is a null cell,
/// exactly where cell-eval leaves one.
enum DEMetrics {
    /// `overlap_at_{N,K}` (k from the real list) and `precision_at_{N,K}` (k from the predicted list).
    static func overlap(_ c: DEComparison, k: Int?, precision: Bool) -> [String: Double] {
        let anyReal = c.real.groups.values.contains { !$0.significantRanked.isEmpty }
        let anyPred = c.pred.groups.values.contains { !$0.significantRanked.isEmpty }
        var out: [String: Double] = [:]
        for p in c.perturbations {
            guard anyReal, anyPred else { out[p] = 0; continue }
            let r = c.real.groups[p]!.significantFeatures, q = c.pred.groups[p]!.significantFeatures
            let available = precision ? q.count : r.count
            let keep = min(k ?? available, available)
            guard keep > 0 else { out[p] = 0; continue }
            let top = Set(r.prefix(keep))
            out[p] = Double(Set(q.prefix(keep)).intersection(top).count) / Double(keep)
        }
        return out
    }

    /// `de_nsig_counts_real` and `de_nsig_counts_pred`.
    static func significantCounts(_ c: DEComparison) -> (real: [String: Double], pred: [String: Double]) {
        var real: [String: Double] = [:], pred: [String: Double] = [:]
        for p in c.perturbations {
            real[p] = Double(c.real.groups[p]!.significantRanked.count)
            pred[p] = Double(c.pred.groups[p]!.significantRanked.count)
        }
        return (real, pred)
    }

    /// `de_spearman_sig`: Spearman across perturbations with ≥ 1 real significant gene of real vs predicted
    /// significant counts; 1 when no perturbation has any.
    static func spearmanSignificant(_ c: DEComparison) -> Double {
        var x: [Double] = [], y: [Double] = []
        for p in c.perturbations {
            let r = c.real.groups[p]!.significantRanked.count
            guard r > 0 else { continue }
            x.append(Double(r)); y.append(Double(c.pred.groups[p]!.significantRanked.count))
        }
        return x.isEmpty ? 1 : spearman(x, y)
    }

    /// `de_direction_match`: over real significant genes with a predicted row, the share whose fold changes
    /// have the same sign.
    static func directionMatch(_ c: DEComparison) -> [String: Double] {
        var out: [String: Double] = [:]
        for p in c.perturbations {
            let real = c.real.groups[p]!, pred = c.pred.groups[p]!
            let row = predictedRows(pred, featureCount: c.featureCount)
            var matched = 0, same = 0
            for r in real.significantRanked.sorted() {
                let q = row[Int(real.features[r])]
                guard q >= 0 else { continue }
                matched += 1
                if signEqual(real.lfc[r], pred.lfc[Int(q)]) { same += 1 }
            }
            if matched > 0 { out[p] = Double(same) / Double(matched) }
        }
        return out
    }

    /// `de_spearman_lfc_sig`: Spearman over real significant genes of real vs predicted fold change (missing
    /// predictions count as 0).
    static func spearmanFoldChange(_ c: DEComparison) -> [String: Double] {
        var out: [String: Double] = [:]
        for p in c.perturbations {
            let real = c.real.groups[p]!, pred = c.pred.groups[p]!
            let rows = real.significantRanked.sorted()
            guard !rows.isEmpty else { continue }
            let row = predictedRows(pred, featureCount: c.featureCount)
            let x = rows.map { Double(real.lfc[$0]) }
            let y = rows.map { r -> Double in
                let q = row[Int(real.features[r])]
                return q >= 0 ? Double(pred.lfc[Int(q)]) : 0
            }
            out[p] = spearman(x, y)
        }
        return out
    }

    /// `de_sig_genes_recall`: |R ∩ P| / |R| for perturbations with real significant genes.
    static func recall(_ c: DEComparison) -> [String: Double] {
        var out: [String: Double] = [:]
        for p in c.perturbations {
            let r = c.real.groups[p]!.significantFeatures
            guard !r.isEmpty else { continue }
            let q = Set(c.pred.groups[p]!.significantFeatures)
            out[p] = Double(r.filter { q.contains($0) }.count) / Double(r.count)
        }
        return out
    }

    /// `pr_auc` (average precision) or `roc_auc` of predicted −log10 FDR against real significance labels.
    static func auc(_ c: DEComparison, roc: Bool) -> [String: Double] {
        var out: [String: Double] = [:]
        let low = Float(1e-10)
        for p in c.perturbations {
            let real = c.real.groups[p]!, pred = c.pred.groups[p]!
            let row = predictedRows(pred, featureCount: c.featureCount)
            var labels: [Bool] = [], scores: [Double] = []
            labels.reserveCapacity(real.features.count); scores.reserveCapacity(real.features.count)
            for r in real.features.indices {
                labels.append(real.fdr[r] < Float(0.05))
                let q = row[Int(real.features[r])]
                var fdr: Float = q >= 0 ? pred.fdr[Int(q)] : 1
                if fdr.isNaN { fdr = 1 }
                fdr = min(max(fdr, low), 1)
                scores.append(Double(-log10(fdr)))
            }
            let positives = labels.filter { $0 }.count
            guard !labels.isEmpty, positives > 0, positives < labels.count else { out[p] = .nan; continue }
            out[p] = roc ? rocAUC(labels: labels, scores: scores) : averagePrecision(labels: labels, scores: scores)
        }
        return out
    }

    /// Row of each shared feature in a predicted group, −1 where absent.
    private static func predictedRows(_ g: DESide.Group, featureCount: Int) -> [Int32] {
        var row = [Int32](repeating: -1, count: featureCount)
        for (r, f) in g.features.enumerated() where row[Int(f)] < 0 { row[Int(f)] = Int32(r) }
        return row
    }

    /// polars `sign(a) == sign(b)` (NaN equals NaN).
    private static func signEqual(_ a: Float, _ b: Float) -> Bool {
        func sign(_ x: Float) -> Float { x.isNaN ? .nan : (x > 0 ? 1 : (x < 0 ? -1 : 0)) }
        let x = sign(a), y = sign(b)
        return x == y || (x.isNaN && y.isNaN)
    }
}
