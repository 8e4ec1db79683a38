import Foundation

/// The VCC 2025 paper's MAE: on the 2,000 genes with the largest real |log2 fold change| computed on normalized
/// counts with pseudocount 1, log2((mean counts + 1) / (control mean counts + 1)), the mean absolute error of the
/// predicted log1p means.
enum VCCMetrics {
    static let topGenes = 2000

    static func maeTop(_ pair: EvaluationPair) throws -> [String: Double] {
        guard let counts = pair.real.countMeans, let control = counts[pair.real.controlLabel] else {
            throw EvaluationError.metricFailed(metric: "mae_top2000", reason: "count means were not computed")
        }
        var out: [String: Double] = [:]
        for p in pair.perturbations {
            let m = counts[p]!
            let lfc = zip(m, control).map { abs(log2(($0 + 1) / ($1 + 1))) }
            let top = lfc.indices.sorted { lfc[$0] > lfc[$1] || (lfc[$0] == lfc[$1] && $0 < $1) }.prefix(topGenes)
            let x = pair.predBulk.mean(p), y = pair.realBulk.mean(p)
            out[p] = top.reduce(0.0) { $0 + abs(Double(x[$1]) - Double(y[$1])) } / Double(top.count)
        }
        return out
    }
}
