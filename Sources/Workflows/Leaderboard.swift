import Foundation
import Metrics
import PerturbData
import Statistics
import Support

/// Mean ± standard deviation over seeds of every metric, per dataset, training fraction (data-scaling benchmarks),
/// imbalance level (benchmarks with `imbalance`), tier and model; rows sorted within each dataset, fraction, level
/// and tier by the primary metric (best first).
public struct Leaderboard: Sendable {
    public struct Row: Sendable {
        public var dataset: String
        /// The training fraction (data-scaling benchmarks), else nil.
        public var fraction: String?
        /// The imbalance skew of the training part, else nil.
        public var imbalance: String?
        public var tier: String
        public var model: String
        public var seeds: Int
        /// Perturbations in the tier (mean over seeds).
        public var perturbations: Double
        /// (mean, sample std) per column name.
        public var values: [String: (mean: Double, std: Double)]
    }

    public let primary: String
    /// Metric columns in order, then the score columns.
    public let columns: [String]
    public let rows: [Row]

    /// Score column name for a reference model.
    public static func scoreColumn(_ reference: String) -> String { "vcc_score_vs_\(reference.replacingOccurrences(of: "-", with: "_"))" }

    public init(records: [RunRecord], primary: String, modelOrder: [String]) {
        self.primary = primary
        var metricNames: [String] = []
        for r in records {
            for values in r.metrics.values { for k in values.keys where !metricNames.contains(k) { metricNames.append(k) } }
        }
        let known = MetricRegistry.all.map(\.name)
        func rank(_ name: String) -> Int { known.firstIndex { name.hasPrefix($0) } ?? 999 }
        metricNames.sort { (rank($0), $0) < (rank($1), $1) }
        if let p = metricNames.firstIndex(of: primary) { metricNames.insert(metricNames.remove(at: p), at: 0) }
        let scoreColumns = BenchmarkConfig.referenceModels.map(Self.scoreColumn)
        columns = metricNames + scoreColumns
        var groups: [String: [RunRecord]] = [:]
        var order: [(String, String?, String?, String, String)] = []
        func key(_ dataset: String, _ fraction: String?, _ imbalance: String?, _ tier: String, _ model: String) -> String {
            [dataset, fraction ?? "", imbalance ?? "", tier, model].joined(separator: "\u{1F}")
        }
        for r in records {
            for tier in r.metrics.keys {
                let key = key(r.dataset, r.fraction, r.imbalance, tier, r.model)
                if groups[key] == nil { order.append((r.dataset, r.fraction, r.imbalance, tier, r.model)) }
                groups[key, default: []].append(r)
            }
        }
        let tierOrder = ["all", "single", "seen2", "seen1", "seen0"]
        let best = MetricRegistry.metric(primary)?.best ?? .one
        var rows: [Row] = order.map { dataset, fraction, imbalance, tier, model in
            let runs = groups[key(dataset, fraction, imbalance, tier, model)]!
            var values: [String: (Double, Double)] = [:]
            for name in metricNames {
                values[name] = Self.meanStd(runs.compactMap { $0.metrics[tier]?[name] })
            }
            if tier == "all" {
                for (reference, column) in zip(BenchmarkConfig.referenceModels, scoreColumns) {
                    values[column] = Self.meanStd(runs.compactMap { $0.scores[reference] })
                }
            }
            return Row(
                dataset: dataset, fraction: fraction, imbalance: imbalance, tier: tier, model: model, seeds: runs.count,
                perturbations: Double(runs.reduce(0) { $0 + ($1.tierSizes[tier] ?? 0) }) / Double(runs.count), values: values)
        }
        rows.sort { a, b in
            if a.dataset != b.dataset { return a.dataset < b.dataset }
            if a.fraction != b.fraction { return (a.fraction.flatMap(Double.init) ?? 0) < (b.fraction.flatMap(Double.init) ?? 0) }
            if a.imbalance != b.imbalance { return (a.imbalance.flatMap(Double.init) ?? 0) < (b.imbalance.flatMap(Double.init) ?? 0) }
            if a.tier != b.tier { return (tierOrder.firstIndex(of: a.tier) ?? 9, a.tier) < (tierOrder.firstIndex(of: b.tier) ?? 9, b.tier) }
            let x = a.values[primary]?.mean ?? .nan, y = b.values[primary]?.mean ?? .nan
            if x.isNaN != y.isNaN { return y.isNaN }
            if x != y { return best == .zero ? x < y : x > y }
            return (modelOrder.firstIndex(of: a.model) ?? 999) < (modelOrder.firstIndex(of: b.model) ?? 999)
        }
        self.rows = rows
    }

    /// Mean and sample standard deviation of the non-NaN values (NaN when there are none, or one for the std).
    static func meanStd(_ xs: [Double]) -> (Double, Double) {
        let summary = ColumnSummary(xs.filter { !$0.isNaN })
        return (summary.mean ?? .nan, summary.std ?? .nan)
    }

    /// Whether the rows come from a data-scaling benchmark (they then carry a training fraction).
    var hasFractions: Bool { rows.contains { $0.fraction != nil } }
    /// Whether the rows come from a benchmark with imbalance levels.
    var hasImbalance: Bool { rows.contains { $0.imbalance != nil } }

    /// The scenario columns present (fraction, imbalance) and a row's values for them.
    var scenarioColumns: [String] { (hasFractions ? ["fraction"] : []) + (hasImbalance ? ["imbalance"] : []) }
    func scenario(_ r: Row) -> [String] { (hasFractions ? [r.fraction ?? ""] : []) + (hasImbalance ? [r.imbalance ?? ""] : []) }

    /// `leaderboard.csv`: dataset, (fraction, imbalance,) tier, model, seeds, perturbations, then `<metric>_mean`,
    /// `<metric>_std`.
    public func csv() -> String {
        let header =
            ["dataset"] + scenarioColumns + ["tier", "model", "seeds", "perturbations"]
            + columns.flatMap { ["\($0)_mean", "\($0)_std"] }
        var lines = [header.map(CSVFormat.text).joined(separator: ",")]
        for r in rows {
            var fields = ([r.dataset] + scenario(r) + [r.tier, r.model]).map(CSVFormat.text)
            fields += [String(r.seeds), CSVFormat.double(r.perturbations)]
            for c in columns {
                let v = r.values[c]
                fields += [v.map { CSVFormat.double($0.mean) } ?? "", v.map { CSVFormat.double($0.std) } ?? ""]
            }
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A fixed-width text table of `shown` columns (mean ± std), for the terminal and the docs.
    public func text(shown: [String]) -> String {
        let shown = shown.filter(columns.contains)
        var out: [String] = []
        var current = ""
        for r in rows {
            let fraction = (r.fraction.map { ", training fraction \($0)" } ?? "") + (r.imbalance.map { ", imbalance \($0)" } ?? "")
            let group =
                "\(r.dataset)\(fraction) — \(r.tier) (\(CSVFormat.double(r.perturbations.rounded())) perturbations, \(r.seeds) seeds)"
            if group != current {
                current = group
                out.append("")
                out.append(group)
                out.append(
                    "  " + "model".padding(toLength: 20, withPad: " ", startingAt: 0)
                        + shown.map { $0.padding(toLength: max(18, $0.count + 2), withPad: " ", startingAt: 0) }.joined())
            }
            var line = "  " + r.model.padding(toLength: 20, withPad: " ", startingAt: 0)
            for c in shown {
                let cell: String
                if let v = r.values[c], !v.mean.isNaN {
                    cell = v.std.isNaN ? String(format: "%.3f", v.mean) : String(format: "%.3f ± %.3f", v.mean, v.std)
                } else {
                    cell = "–"
                }
                line += cell.padding(toLength: max(18, c.count + 2), withPad: " ", startingAt: 0)
            }
            out.append(line)
        }
        return out.joined(separator: "\n").trimmingCharacters(in: .newlines) + "\n"
    }

    /// The markdown version of `text`, for docs/RESULTS.md.
    public func markdown(shown: [String]) -> String {
        let shown = shown.filter(columns.contains)
        let fractionHeader = scenarioColumns.map { "\($0) | " }.joined()
        let fractionRule = String(repeating: "---|", count: scenarioColumns.count)
        var out = [
            "| dataset | \(fractionHeader)tier | n | model | " + shown.joined(separator: " | ") + " |",
            "|---|\(fractionRule)---|---|---|" + String(repeating: "---|", count: shown.count),
        ]
        for r in rows {
            let cells = shown.map { c -> String in
                guard let v = r.values[c], !v.mean.isNaN else { return "–" }
                return v.std.isNaN ? String(format: "%.3f", v.mean) : String(format: "%.3f ± %.3f", v.mean, v.std)
            }
            out.append(
                "| \(r.dataset) | \(scenario(r).map { "\($0) | " }.joined())\(r.tier) | \(String(format: "%.1f", r.perturbations)) | "
                    + "\(r.model) | " + cells.joined(separator: " | ")
                    + " |")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
