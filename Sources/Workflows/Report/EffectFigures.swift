import Foundation
import Statistics

/// The figures drawn from DE tables, shared by the benchmark and eval reports: predicted vs observed effect
/// scatters for chosen conditions and the DE-count calibration.
enum EffectFigures {
    /// The `count` conditions with the largest observed effect (Σ|Δ| over genes), largest first.
    static func chosenConditions(_ real: DETableScan, count: Int) -> [String] {
        Array(real.effect.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(count).map(\.key))
    }

    /// One scatter per (model, condition): observed vs predicted Δ (mean log1p expression, perturbed − control) per gene, the `labelled` genes
    /// with the largest observed |Δ| named.
    static func scatters(real: DETableScan, predicted: [(model: String, scan: DETableScan)], conditions: [String], labelled: Int = 5)
        -> [String]
    {
        var out: [String] = []
        for (m, (model, scan)) in predicted.enumerated() {
            for condition in conditions {
                guard let observed = real.deltas[condition], let pred = scan.deltas[condition] else { continue }
                let genes = observed.keys.sorted()
                let top = Set(
                    genes.sorted { abs(observed[$0]!) > abs(observed[$1]!) || (abs(observed[$0]!) == abs(observed[$1]!) && $0 < $1) }
                        .prefix(labelled))
                let points = genes.compactMap { g -> ScatterPlot.Point? in
                    guard let y = pred[g] else { return nil }
                    return ScatterPlot.Point(x: observed[g]!, y: y, label: top.contains(g) ? g : nil)
                }
                let r = pearson(points.map(\.x), points.map(\.y))
                out.append(
                    ScatterPlot(
                        title: "\(model) · \(condition)", xLabel: "observed Δ mean log1p expression",
                        yLabel: "predicted Δ mean log1p expression",
                        series: [.init(name: model, color: ChartPalette.color(m), points: points)],
                        note: "Pearson r = \(ChartText.number(r))",
                        width: 370, height: 330
                    ).svg())
            }
        }
        return out
    }

    /// Real vs predicted significant genes (fdr < 0.05) per condition, one series per model, on log10(1 + n)
    /// axes with y = x; and a table: model, conditions, median real and predicted counts, median ratio.
    static func calibration(real: DETableScan, predicted: [(model: String, scan: DETableScan)]) -> (svg: String, rows: [[String]]) {
        var series: [ScatterPlot.Series] = []
        var rows: [[String]] = []
        for (m, (model, scan)) in predicted.enumerated() {
            let conditions = real.significant.keys.sorted().filter { scan.significant[$0] != nil }
            let points = conditions.map { ScatterPlot.Point(x: Double(real.significant[$0]!), y: Double(scan.significant[$0]!)) }
            series.append(.init(name: model, color: ChartPalette.color(m), points: points))
            let realCounts = points.map(\.x), predCounts = points.map(\.y)
            let ratio = median(zip(realCounts, predCounts).map { ($1 + 1) / ($0 + 1) })
            rows.append([
                model, String(conditions.count), ChartText.number(median(realCounts)), ChartText.number(median(predCounts)),
                ChartText.number(ratio),
            ])
        }
        let svg = ScatterPlot(
            title: "DE-count calibration: significant genes per condition", xLabel: "real significant genes (fdr < 0.05)",
            yLabel: "predicted significant genes", series: series, kind: .log1p, width: 560, height: 440
        ).svg()
        return (svg, rows)
    }

    /// The median of the finite values (NaN when none).
    static func median(_ xs: [Double]) -> Double { numpyMedian(xs.filter(\.isFinite)) }
}
