import Foundation
import Metrics
import TOMLKit

/// How a search proposes configurations.
public enum SearchSampler: String, Sendable, Equatable, CaseIterable {
    /// The tree-structured Parzen estimator (sequential, model-based; PerturBench's sampler).
    case tpe
    /// Independent draws from the prior (log-uniform on log scales).
    case random
    /// The grid of the listed values, sampled down to the trial budget by the seed.
    case grid
}

/// The benchmark's `[search]` table: what a search minimizes or maximizes and how the samplers are set.
public struct SearchSettings: Sendable, Equatable {
    /// The objective, e.g. `rmse + 0.1*rmse_rank`; default: the primary metric.
    public var objective: ObjectiveExpression
    /// Minimize (true) or maximize. Default: the best direction of the objective's first metric.
    public var minimize: Bool
    /// The default sampler of models that name none.
    public var sampler: SearchSampler
    /// TPE: trials drawn from the prior before the model-based proposals start.
    public var startupTrials: Int
    /// TPE: draws from l(x) scored per proposal.
    public var candidates: Int

    /// Reads `[search]` (absent: every default), checking that the objective uses metric names only.
    init(_ value: (any TOMLValueConvertible)?, primary: String, reader: TOMLReader) throws {
        let table = value?.table ?? TOMLTable()
        if value != nil, value?.table == nil {
            throw BenchmarkError.invalidField(path: reader.path, field: "search", expected: "a table")
        }
        try reader.checkKeys(table, ["objective", "direction", "sampler", "startup", "candidates"], in: "search")
        let text = try reader.string(table, "objective", in: "search") ?? primary
        do { objective = try ObjectiveExpression(text) } catch {
            throw BenchmarkError.invalidField(
                path: reader.path, field: "search.objective", expected: "an arithmetic expression of metric names (\(error))")
        }
        for name in objective.names where MetricRegistry.metric(name)?.columns != [name] {
            throw BenchmarkError.invalidField(
                path: reader.path, field: "search.objective",
                expected: "names of one-column metrics (docs/DESIGN.md §5), got '\(name)'")
        }
        guard let first = objective.names.first, let info = MetricRegistry.metric(first) else {
            throw BenchmarkError.invalidField(path: reader.path, field: "search.objective", expected: "at least one metric name")
        }
        switch try reader.string(table, "direction", in: "search") {
        case nil:
            guard info.best != .none else {
                throw BenchmarkError.invalidField(
                    path: reader.path, field: "search.direction", expected: "minimize or maximize ('\(first)' has no best direction)")
            }
            minimize = info.best == .zero
        case "minimize": minimize = true
        case "maximize": minimize = false
        case let other?:
            throw BenchmarkError.invalidField(
                path: reader.path, field: "search.direction", expected: "minimize or maximize, got '\(other)'")
        }
        sampler = try reader.sampler(table, "sampler", in: "search") ?? .tpe
        startupTrials = try reader.int(table, "startup", in: "search") ?? 10
        candidates = try reader.int(table, "candidates", in: "search") ?? 24
        guard startupTrials >= 1, candidates >= 1 else {
            throw BenchmarkError.invalidField(path: reader.path, field: "search", expected: "startup and candidates ≥ 1")
        }
    }

    /// The text a run key hashes for these settings.
    var keyText: String {
        "objective=\(objective.description);\(minimize ? "minimize" : "maximize");startup=\(startupTrials);candidates=\(candidates)"
    }
}
