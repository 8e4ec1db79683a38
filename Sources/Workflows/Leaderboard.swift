import Foundation
import Metrics
import PerturbData
import Statistics
import Support

/// Mean ± standard deviation over seeds of every metric, per dataset, tier and model; rows sorted within each
/// dataset and tier by the primary metric (best first).
public struct Leaderboard: Sendable {
    public struct Row: Sendable {
        public var dataset: String
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
        var order: [(String, String, String)] = []
        for r in records {
            for tier in r.metrics.keys {
                let key = "\(r.dataset)\u{1F}\(tier)\u{1F}\(r.model)"
                if groups[key] == nil { order.append((r.dataset, tier, r.model)) }
                groups[key, default: []].append(r)
            }
        }
        let tierOrder = ["all", "single", "seen2", "seen1", "seen0"]
        let best = MetricRegistry.metric(primary)?.best ?? .one
        var rows: [Row] = order.map { dataset, tier, model in
            let runs = groups["\(dataset)\u{1F}\(tier)\u{1F}\(model)"]!
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
                dataset: dataset, tier: tier, model: model, seeds: runs.count,
                perturbations: Double(runs.reduce(0) { $0 + ($1.tierSizes[tier] ?? 0) }) / Double(runs.count), values: values)
        }
        rows.sort { a, b in
            if a.dataset != b.dataset { return a.dataset < b.dataset }
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

    /// `leaderboard.csv`: dataset, tier, model, seeds, perturbations, then `<metric>_mean`, `<metric>_std`.
    public func csv() -> String {
        let header = ["dataset", "tier", "model", "seeds", "perturbations"] + columns.flatMap { ["\($0)_mean", "\($0)_std"] }
        var lines = [header.map(CSVFormat.text).joined(separator: ",")]
        for r in rows {
            var fields = [r.dataset, r.tier, r.model].map(CSVFormat.text) + [String(r.seeds), CSVFormat.double(r.perturbations)]
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
            let group = "\(r.dataset) — \(r.tier) (\(CSVFormat.double(r.perturbations.rounded())) perturbations, \(r.seeds) seeds)"
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
        var out = [
            "| dataset | tier | n | model | " + shown.joined(separator: " | ") + " |",
            "|---|---|---|---|" + String(repeating: "---|", count: shown.count),
        ]
        for r in rows {
            let cells = shown.map { c -> String in
                guard let v = r.values[c], !v.mean.isNaN else { return "–" }
                return v.std.isNaN ? String(format: "%.3f", v.mean) : String(format: "%.3f ± %.3f", v.mean, v.std)
            }
            out.append(
                "| \(r.dataset) | \(r.tier) | \(String(format: "%.1f", r.perturbations)) | \(r.model) | " + cells.joined(separator: " | ")
                    + " |")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
