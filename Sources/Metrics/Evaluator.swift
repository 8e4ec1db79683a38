import Foundation
import LinearAlgebra

/// What a metric computation returns: one column per perturbation, or one value copied to every row.
enum MetricValue {
    case perPerturbation([String: Double])
    case global(Double)
    case columns([(String, [String: Double])])
}

/// Inputs available to metric computations.
struct MetricContext {
    let pair: EvaluationPair?
    let de: DEComparison?
    let embedded: Bool
}

/// Runs a list of metrics and assembles cell-eval's result table.
public enum Evaluator {
    /// How each metric is computed, by name.
    static let implementations: [String: @Sendable (MetricContext) throws -> MetricValue] = {
        var table: [String: @Sendable (MetricContext) throws -> MetricValue] = [:]
        for (family, isPrecision) in [("overlap", false), ("precision", true)] {
            for (suffix, k) in [("N", nil), ("50", 50), ("100", 100), ("200", 200), ("500", 500)] as [(String, Int?)] {
                table["\(family)_at_\(suffix)"] = { .perPerturbation(DEMetrics.overlap(try de($0), k: k, precision: isPrecision)) }
            }
        }
        table["de_spearman_sig"] = { .global(DEMetrics.spearmanSignificant(try de($0))) }
        table["de_direction_match"] = { .perPerturbation(DEMetrics.directionMatch(try de($0))) }
        table["de_spearman_lfc_sig"] = { .perPerturbation(DEMetrics.spearmanFoldChange(try de($0))) }
        table["de_sig_genes_recall"] = { .perPerturbation(DEMetrics.recall(try de($0))) }
        table["de_nsig_counts"] = {
            let counts = DEMetrics.significantCounts(try de($0))
            return .columns([("de_nsig_counts_real", counts.real), ("de_nsig_counts_pred", counts.pred)])
        }
        table["pr_auc"] = { .perPerturbation(DEMetrics.auc(try de($0), roc: false)) }
        table["roc_auc"] = { .perPerturbation(DEMetrics.auc(try de($0), roc: true)) }
        for name in ["pearson_delta", "mse", "mae", "mse_delta", "mae_delta"] {
            table[name] = { .perPerturbation(ExpressionMetrics.perPerturbation(try pair($0), name)) }
        }
        for d in [ExpressionMetrics.Distance.l1, .l2, .cosine] {
            table["discrimination_score_\(d.rawValue)"] = {
                .perPerturbation(try ExpressionMetrics.discrimination(try pair($0), distance: d, embedded: $0.embedded))
            }
        }
        table["pearson_edistance"] = { .global(try ExpressionMetrics.pearsonEnergyDistance(try pair($0))) }
        for (name, compute) in PerturBenchMetrics.implementations { table[name] = compute }
        return table
    }()

    private static func de(_ c: MetricContext) throws -> DEComparison {
        guard let de = c.de else { throw EvaluationError.metricFailed(metric: "DE metrics", reason: "no DE tables") }
        return de
    }

    private static func pair(_ c: MetricContext) throws -> EvaluationPair {
        guard let pair = c.pair else { throw EvaluationError.metricFailed(metric: "expression metrics", reason: "no expression data") }
        return pair
    }

    /// Every known metric name.
    public static var knownMetrics: [String] { implementations.keys.sorted() }

    /// Computes `metrics` (DE metrics first, then expression metrics, each in the given order, as cell-eval's
    /// pipeline does). Any metric that fails is an error.
    public static func evaluate(metrics: [String], pair: EvaluationPair?, de: DEComparison?,
                                embedded: Bool = false) throws -> ResultTable {
        for name in metrics where implementations[name] == nil {
            throw EvaluationError.unknownMetric(name: name, known: knownMetrics)
        }
        let perturbations = de?.perturbations ?? pair?.perturbations ?? []
        var table = ResultTable(perturbations: perturbations)
        let context = MetricContext(pair: pair, de: de, embedded: embedded)
        let isDE = { (name: String) in MetricCatalog.info(name)?.input == .de }
        for name in metrics.filter(isDE) + metrics.filter({ !isDE($0) }) {
            switch try implementations[name]!(context) {
            case .perPerturbation(let values): table.append(name, values)
            case .global(let value): table.append(name, constant: value)
            case .columns(let columns): for (column, values) in columns { table.append(column, values) }
            }
        }
        return table
    }
}
