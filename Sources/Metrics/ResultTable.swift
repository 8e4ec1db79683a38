import Foundation
import PerturbData
import Statistics
import Support

/// Per-perturbation metric values: cell-eval's `results.csv` (one row per perturbation, one column per
/// metric, nil = null) and its `describe()` summary `agg_results.csv`.
public struct ResultTable: Sendable, Equatable {
    /// Row labels.
    public var perturbations: [String]
    /// Metric columns, in output order.
    public var columns: [String]
    /// values[column][row].
    public var values: [[Double?]]

    /// An empty table over `perturbations`.
    public init(perturbations: [String]) {
        self.perturbations = perturbations
        columns = []
        values = []
    }

    /// Appends a column from a per-perturbation map (absent = null).
    public mutating func append(_ name: String, _ byPerturbation: [String: Double]) {
        columns.append(name)
        values.append(perturbations.map { byPerturbation[$0] })
    }

    /// Appends a column holding one value for every perturbation (global metrics).
    public mutating func append(_ name: String, constant: Double) {
        columns.append(name)
        values.append(perturbations.map { _ in constant })
    }

    /// `results.csv` text.
    public func resultsCSV() -> String {
        var lines = [(["perturbation"] + columns).map(CSVFormat.text).joined(separator: ",")]
        for (r, p) in perturbations.enumerated() {
            lines.append(([CSVFormat.text(p)] + values.map { CSVFormat.optional($0[r]) }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The summary rows (count, null_count, mean, std, min, 25%, 50%, 75%, max) per column.
    public func summaries() -> [ColumnSummary] { values.map(ColumnSummary.init) }

    /// `agg_results.csv` text.
    public func aggregateCSV() -> String {
        let summaries = summaries()
        var lines = [(["statistic"] + columns).map(CSVFormat.text).joined(separator: ",")]
        for (i, name) in ColumnSummary.statisticNames.enumerated() {
            lines.append(([name] + summaries.map { CSVFormat.optional($0.row[i]) }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `results.csv` and `agg_results.csv` (with an optional cell-type prefix) into `directory`.
    public func write(to directory: String, prefix: String? = nil) throws {
        let name = { (base: String) in prefix.map { "\($0.replacingOccurrences(of: "/", with: "-"))_\(base)" } ?? base }
        try AtomicFile.write(resultsCSV(), to: directory + "/" + name("results.csv"))
        try AtomicFile.write(aggregateCSV(), to: directory + "/" + name("agg_results.csv"))
    }
}
