import Foundation
import Support

/// The report of a `perturb eval` directory: the metric summary, each metric's distribution over perturbations,
/// predicted vs observed effects and DE-count calibration (when the DE tables were written), and provenance.
struct EvaluationReport {
    let directory: String

    func html() throws -> String {
        let results = try CSVTable(contentsOf: "\(directory)/results.csv")
        let metrics = Array(results.header.dropFirst())
        var page = HTMLReport(
            title: "Evaluation report: \((directory as NSString).lastPathComponent)",
            subtitle: "\(results.rows.count) perturbations · \(metrics.count) metric columns")
        page.section(
            "Metrics", intro: "Per-perturbation values summarized over the \(results.rows.count) perturbations (cell-eval's agg_results).")
        var rows: [[String]] = []
        var charts: [String] = []
        for (j, name) in metrics.enumerated() {
            let values = results.rows.compactMap { Double($0[j + 1]) }.filter(\.isFinite)
            let sorted = values.sorted()
            let mean = values.isEmpty ? Double.nan : values.reduce(0, +) / Double(values.count)
            let sd =
                values.count > 1 ? (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot() : .nan
            rows.append(
                [name, String(values.count)]
                    + [mean, sd, sorted.first ?? .nan, EffectFigures.median(values), sorted.last ?? .nan].map {
                        ChartText.number($0)
                    })
            guard let lo = sorted.first, let hi = sorted.last else { continue }
            // Scores on [0, 1] spread over most of it are drawn on [0, 1]; anything else on its own range.
            let unit = lo >= 0 && hi <= 1 && hi - lo > 0.3 ? (0.0, 1.0) : (lo, hi > lo ? hi : lo + 1)
            charts.append(
                Histogram(
                    title: name, xLabel: name, values: values, range: unit,
                    marker: name.hasSuffix("_rank") ? (0.5, "0.5: random") : nil, color: ChartPalette.color(j)
                ).svg())
        }
        page.table(["metric", "perturbations", "mean", "sd", "min", "median", "max"], rows)
        page.subheading("Distributions over perturbations")
        page.figures(charts)
        let realPath = "\(directory)/real_de.csv", predPath = "\(directory)/pred_de.csv"
        if FileManager.default.fileExists(atPath: realPath), FileManager.default.fileExists(atPath: predPath) {
            let conditions = EffectFigures.chosenConditions(try DETableScan(path: realPath), count: 3)
            let scans = try BenchmarkReport.scanAll([realPath, predPath], keep: Set(conditions))
            let predicted = [(model: "prediction", scan: scans[1])]
            page.section(
                "Predicted vs observed effects",
                intro: "Per gene, the predicted against the observed change of mean log1p expression (perturbed − control) for the "
                    + "\(conditions.count) conditions with the largest observed effect; the five largest observed changes are named.")
            page.figures(EffectFigures.scatters(real: scans[0], predicted: predicted, conditions: conditions))
            let (svg, table) = EffectFigures.calibration(real: scans[0], predicted: predicted)
            page.section(
                "DE-count calibration",
                intro: "Significant genes (BH fdr < 0.05) per condition in the predicted against the real cells.")
            page.figures([svg])
            page.table(["prediction", "conditions", "median real", "median predicted", "median (pred + 1)/(real + 1)"], table)
        }
        page.section("Provenance")
        page.facts(ProvenanceFacts.facts(manifestPath: "\(directory)/manifest.json"))
        return page.html()
    }
}
