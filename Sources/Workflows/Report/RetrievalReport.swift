import Foundation
import Support

/// The report of a `perturb reverse` directory: MRR per model and tier, Hit@K and Recall@K curves against the
/// random expectation, and provenance.
struct RetrievalReport {
    let directory: String

    func html() throws -> String {
        let table = try CSVTable(contentsOf: "\(directory)/metrics.csv")
        let h = table.header
        guard let cm = h.firstIndex(of: "model"), let ct = h.firstIndex(of: "tier"), let cn = h.firstIndex(of: "conditions"),
            let cx = h.firstIndex(of: "metric"), let ck = h.firstIndex(of: "k"), let cv = h.firstIndex(of: "value"),
            let cr = h.firstIndex(of: "random")
        else {
            throw ReportError.unreadable(path: table.path, reason: "expected the columns model, tier, conditions, metric, k, value, random")
        }
        let models = table.rows.map { $0[cm] }.distinctInOrder
        let tiers = table.rows.map { $0[ct] }.distinctInOrder
        var page = HTMLReport(
            title: "Reverse-task report: \((directory as NSString).lastPathComponent)",
            subtitle: "\(models.count) models · tiers \(tiers.joined(separator: ", "))")
        func value(_ model: String, _ tier: String, _ metric: String, _ k: String) -> (Double, Double)? {
            table.rows.first { $0[cm] == model && $0[ct] == tier && $0[cx] == metric && $0[ck] == k }.map {
                (Double($0[cv]) ?? .nan, Double($0[cr]) ?? .nan)
            }
        }
        page.section(
            "Ranking quality",
            intro: "Given an observed profile, each model ranks candidate perturbations; MRR and exact Hit@K per model and tier, "
                + "the random ranking's expectation in parentheses. Bold: the best MRR of a tier.")
        var rows: [[String]] = []
        var highlight: Set<[Int]> = []
        for tier in tiers {
            let best = models.compactMap { value($0, tier, "mrr", "")?.0 }.filter(\.isFinite).max()
            for model in models {
                guard let mrr = value(model, tier, "mrr", "") else { continue }
                let conditions = table.rows.first { $0[cm] == model && $0[ct] == tier }?[cn] ?? ""
                let hits = ["1", "5", "10"].map { k in
                    value(model, tier, "exact_hit", k).map { "\(ChartText.number($0.0)) (\(ChartText.number($0.1)))" } ?? ""
                }
                if mrr.0 == best { highlight.insert([rows.count, 3]) }
                rows.append([model, tier, conditions, "\(ChartText.number(mrr.0)) (\(ChartText.number(mrr.1)))"] + hits)
            }
        }
        page.table(["model", "tier", "conditions", "MRR", "Hit@1", "Hit@5", "Hit@10"], rows, highlight: highlight)
        let tier = tiers.contains("all") ? "all" : tiers[0]
        var charts: [String] = []
        charts.append(
            BarChart(
                title: "MRR (tier \(tier))", unit: "mean reciprocal rank (higher is better)",
                bars: models.enumerated().compactMap { m, model in
                    value(model, tier, "mrr", "").map { BarChart.Bar(label: model, mean: $0.0, sd: nil, color: ChartPalette.color(m)) }
                },
                references: value(models[0], tier, "mrr", "").map { [($0.1, "random \(ChartText.number($0.1))")] } ?? []
            ).svg())
        for (metric, label) in [("exact_hit", "Hit@K (the true perturbation in the top K)"), ("recall", "Recall@K"), ("ndcg", "NDCG@K")] {
            let ks = table.rows.filter { $0[cx] == metric && $0[ct] == tier }.map { $0[ck] }.distinctInOrder
            guard !ks.isEmpty else { continue }
            let ticks = ks.enumerated().map { (Double($0.offset), $0.element) }
            var series = models.enumerated().map { m, model in
                LineChart.Series(
                    name: model, color: ChartPalette.color(m),
                    points: ks.enumerated().compactMap { i, k in
                        value(model, tier, metric, k).map { LineChart.Point(x: Double(i), y: $0.0) }
                    })
            }
            series.append(
                .init(
                    name: "random", color: "#8c959f",
                    points: ks.enumerated().compactMap { i, k in
                        value(models[0], tier, metric, k).map { LineChart.Point(x: Double(i), y: $0.1) }
                    },
                    dashed: true))
            charts.append(
                LineChart(title: "\(label), tier \(tier)", xLabel: "K", yLabel: label, series: series, xTicks: ticks, width: 540).svg())
        }
        page.section("Curves over K", intro: "Tier \(tier); the dashed grey line is a random ranking's expectation.")
        page.figures(charts)
        page.section("Provenance")
        page.facts(ProvenanceFacts.facts(manifestPath: "\(directory)/manifest.json"))
        return page.html()
    }
}
