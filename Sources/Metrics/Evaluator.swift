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

    /// The DE comparison, or an error when none was computed.
    func requireDE() throws -> DEComparison {
        guard let de else { throw EvaluationError.metricFailed(metric: "DE metrics", reason: "no DE tables") }
        return de
    }

    /// The expression pair, or an error when none was loaded.
    func requirePair() throws -> EvaluationPair {
        guard let pair else { throw EvaluationError.metricFailed(metric: "expression metrics", reason: "no expression data") }
        return pair
    }
}

/// Runs a list of registered metrics and assembles cell-eval's result table.
public enum Evaluator {
    /// Every computable metric name.
    public static var knownMetrics: [String] { MetricRegistry.all.map(\.name).sorted() }

    /// Computes `metrics` (DE metrics first, then expression metrics, each in the given order, as cell-eval's
    /// pipeline does). Any metric that fails is an error.
    public static func evaluate(
        metrics: [String], pair: EvaluationPair?, de: DEComparison?,
        embedded: Bool = false
    ) throws -> ResultTable {
        let registered = try metrics.map { name in
            guard let metric = MetricRegistry.metric(name) else {
                throw EvaluationError.unknownMetric(name: name, known: knownMetrics)
            }
            return (metric, metric.compute)
        }
        let perturbations = de?.perturbations ?? pair?.perturbations ?? []
        var table = ResultTable(perturbations: perturbations)
        let context = MetricContext(pair: pair, de: de, embedded: embedded)
        for (metric, compute) in registered.filter({ $0.0.input == .de }) + registered.filter({ $0.0.input != .de }) {
            switch try compute(context) {
            case .perPerturbation(let values): table.append(metric.name, values)
            case .global(let value): table.append(metric.name, constant: value)
            case .columns(let columns): for (column, values) in columns { table.append(column, values) }
            }
        }
        return table
    }
}
