import Foundation
import Metrics
import Support

/// The report of a `perturb benchmark` directory: leaderboard (table and mean ± sd bars per metric and tier, the
/// noise ceiling where computed), predicted vs observed effects, DE-count calibration, rank-metric histograms,
/// data-scaling and imbalance curves, the hyperparameter searches, and provenance.
struct BenchmarkReport {
    let directory: String
    /// Metrics drawn as bars, in this order, when the leaderboard has them.
    static let barMetrics = [
        "pearson_delta", "overlap_at_N", "discrimination_score_l1", "mae", "rmse", "pearson_delta_rank", "cosine_logfc",
        "mmd_pca", "vcc_score_vs_cell_mean",
    ]
    static let units: [String: String] = [
        "pearson_delta": "Pearson r of Δ (higher is better)", "overlap_at_N": "DE overlap at N (higher is better)",
        "discrimination_score_l1": "discrimination, L1 (higher is better)", "mae": "MAE, expression units (lower is better)",
        "rmse": "RMSE, expression units (lower is better)", "pearson_delta_rank": "rank of own prediction (0 best, 0.5 random)",
        "cosine_logfc": "cosine of log fold changes (higher is better)", "mmd_pca": "MMD in PCA space (lower is better)",
        "vcc_score_vs_cell_mean": "VCC score vs cell-mean (×100, higher is better)",
    ]

    struct Row {
        var dataset: String
        var fraction: String?
        var imbalance: String?
        var tier: String
        var model: String
        var seeds: String
        var perturbations: String
        var values: [String: (mean: Double, sd: Double)]
    }

    func html() throws -> String {
        let board = try CSVTable(contentsOf: "\(directory)/leaderboard.csv")
        let rows = try Self.rows(board)
        let manifest = "\(directory)/manifest.json"
        let datasets = rows.map(\.dataset).distinctInOrder
        let models = rows.map(\.model).distinctInOrder
        let metrics = Self.metricNames(board.header)
        let primary = metrics.first ?? "pearson_delta"
        let seeds = rows.first?.seeds ?? "?"
        var page = HTMLReport(
            title: "Benchmark report: \(name(manifest: manifest))",
            subtitle: "\(datasets.joined(separator: ", ")) · \(models.count) models · \(seeds) seeds · sorted by \(primary)")
        for dataset in datasets {
            let mine = rows.filter { $0.dataset == dataset }
            // The headline variant: the whole training data (largest fraction) with no skew (lowest level).
            let fraction = mine.compactMap(\.fraction).max { Double($0)! < Double($1)! }
            let level = mine.compactMap(\.imbalance).min { Double($0)! < Double($1)! }
            let headline = mine.filter { $0.fraction == fraction && $0.imbalance == level }
            let suffix = datasets.count > 1 ? " — \(dataset)" : ""
            leaderboard(&page, headline, metrics: metrics, title: "Leaderboard\(suffix)", variant: (fraction, level))
            let seedDirectory = try firstSeedDirectory(dataset)
            let variantDirectory = seedDirectory + (fraction.map { "/fraction\($0)" } ?? "") + (level.map { "/imbalance\($0)" } ?? "")
            try effects(&page, seedDirectory: seedDirectory, variantDirectory: variantDirectory, models: models, suffix: suffix)
            rankHistograms(&page, variantDirectory: variantDirectory, models: models, suffix: suffix)
            if fraction != nil { curves(&page, mine, axis: \.fraction, name: "training fraction", metrics: metrics, suffix: suffix) }
            if level != nil { curves(&page, mine, axis: \.imbalance, name: "imbalance skew", metrics: metrics, suffix: suffix) }
        }
        try searches(&page)
        page.section("Provenance", intro: "What made these results: the command, the version, every input's SHA-256 and each seed's split.")
        let splits =
            (try? FileManager.default.subpathsOfDirectory(atPath: "\(directory)/runs"))?
            .filter { $0.hasSuffix("/split.json") }.sorted().map { "\(directory)/runs/\($0)" } ?? []
        page.facts(ProvenanceFacts.facts(manifestPath: manifest, splits: splits))
        return page.html()
    }

    /// The benchmark's name from its TOML (the manifest's .toml input), else the directory's name.
    func name(manifest: String) -> String {
        if let data = FileManager.default.contents(atPath: manifest), let m = try? JSONDecoder().decode(Manifest.self, from: data),
            let toml = m.inputs.keys.sorted().first(where: { $0.hasSuffix(".toml") }), let config = try? BenchmarkConfig.read(path: toml)
        {
            return config.name
        }
        return (directory as NSString).lastPathComponent
    }

    static func rows(_ board: CSVTable) throws -> [Row] {
        let h = board.header
        func col(_ name: String) -> Int? { h.firstIndex(of: name) }
        guard let d = col("dataset"), let t = col("tier"), let m = col("model") else {
            throw ReportError.unreadable(path: board.path, reason: "a leaderboard needs dataset, tier and model columns")
        }
        let metrics = metricNames(h)
        return board.rows.map { r in
            var values: [String: (Double, Double)] = [:]
            for name in metrics {
                let mean = col(name + "_mean").flatMap { Double(r[$0]) } ?? .nan
                let sd = col(name + "_std").flatMap { Double(r[$0]) } ?? .nan
                values[name] = (mean, sd)
            }
            return Row(
                dataset: r[d], fraction: col("fraction").map { r[$0] }, imbalance: col("imbalance").map { r[$0] }, tier: r[t],
                model: r[m], seeds: col("seeds").map { r[$0] } ?? "", perturbations: col("perturbations").map { r[$0] } ?? "",
                values: values)
        }
    }

    /// Metric names of a leaderboard header (`<metric>_mean` columns), in its order.
    static func metricNames(_ header: [String]) -> [String] {
        header.filter { $0.hasSuffix("_mean") }.map { String($0.dropLast(5)) }
    }

    func firstSeedDirectory(_ dataset: String) throws -> String {
        let base = "\(directory)/runs/\(safe(dataset))"
        let seeds = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).filter { $0.hasPrefix("seed") }
            .compactMap { UInt64($0.dropFirst(4)) }.sorted()
        return "\(base)/seed\(seeds.first ?? 0)"
    }

    func leaderboard(
        _ page: inout HTMLReport, _ rows: [Row], metrics: [String], title: String, variant: (String?, String?)
    ) {
        let what = [variant.0.map { "training fraction \($0)" }, variant.1.map { "imbalance skew \($0)" }].compactMap { $0 }
        page.section(
            title,
            intro: "Mean ± sample sd over seeds of each metric's per-perturbation mean, tier \"all\" (every test perturbation)"
                + (what.isEmpty ? "" : ", " + what.joined(separator: ", "))
                + ". Bold: the best value of a column (counts and the noise ceiling have no best).")
        let tiers = rows.map(\.tier).distinctInOrder
        let all = rows.filter { $0.tier == (tiers.contains("all") ? "all" : tiers[0]) }
        // The primary metric, then the charted metrics, then the rest, each as the leaderboard has them.
        let having = metrics.filter { name in all.contains { $0.values[name]?.mean.isFinite == true } }
        let shown = (having.prefix(1) + Self.barMetrics.filter(having.contains) + having).distinctInOrder
        var highlight: Set<[Int]> = []
        for (j, name) in shown.enumerated() {
            guard let direction = Self.direction(name), direction != .none else { continue }
            let values = all.map { $0.values[name]?.mean ?? .nan }
            if let best = values.filter(\.isFinite).min(by: { direction == .zero ? $0 < $1 : $0 > $1 }) {
                for (i, v) in values.enumerated() where v == best { highlight.insert([i, 3 + j]) }
            }
        }
        page.table(
            ["model", "seeds", "perturbations"] + shown,
            all.map { r in
                [r.model, r.seeds, r.perturbations]
                    + shown.map { name in
                        let v = r.values[name] ?? (.nan, .nan)
                        return v.sd.isFinite ? "\(ChartText.number(v.mean)) ± \(ChartText.number(v.sd))" : ChartText.number(v.mean)
                    }
            }, highlight: highlight)
        // One chart per metric; several tiers → one bar per tier and model, coloured by tier.
        let ceiling = all.compactMap { $0.values["pearson_delta_ceiling"]?.mean }.filter(\.isFinite)
        var charts: [String] = []
        let legend = tiers.enumerated().map { (name: "tier \($0.element)", color: ChartPalette.color($0.offset)) }
        for name in Self.barMetrics where shown.contains(name) {
            // Tiers without a value for this metric (e.g. the VCC score, computed over all perturbations only) are left out.
            let having = Set(rows.filter { $0.values[name]?.mean.isFinite == true }.map(\.tier))
            let groups = all.map(\.model).map { model in
                BarChart.Group(
                    label: model,
                    bars: tiers.enumerated().filter { having.contains($0.element) }.compactMap { k, tier in
                        guard let r = rows.first(where: { $0.model == model && $0.tier == tier }), let v = r.values[name] else {
                            return nil
                        }
                        return BarChart.Bar(
                            label: "\(model) · \(tier)", mean: v.mean, sd: v.sd.isFinite ? v.sd : nil, color: ChartPalette.color(k))
                    })
            }
            let shownLegend = legend.enumerated().filter { having.contains(tiers[$0.offset]) }.map(\.element)
            var chart = BarChart(
                title: name, unit: Self.units[name] ?? name, groups: groups, legend: shownLegend.count > 1 ? shownLegend : [])
            if name == "pearson_delta", let c = ceiling.first {
                chart.references = [(c, "noise ceiling \(ChartText.number(c))")]
            }
            charts.append(chart.svg())
        }
        page.figures(charts)
    }

    /// Which way a leaderboard column is better: the registered metric's direction (by its output column), higher
    /// for the VCC scores; nil for columns no metric writes.
    static func direction(_ column: String) -> BestValue? {
        if column.hasPrefix("vcc_score_vs_") { return .one }
        return MetricRegistry.all.first { $0.columns.contains(column) }?.best
    }

    func effects(_ page: inout HTMLReport, seedDirectory: String, variantDirectory: String, models: [String], suffix: String) throws {
        var realPath = "\(seedDirectory)/real_de.csv"
        if !FileManager.default.fileExists(atPath: realPath) {
            realPath =
                models.map { "\(variantDirectory)/\(safe($0))/eval-vcc/real_de.csv" }
                .first { FileManager.default.fileExists(atPath: $0) } ?? realPath
        }
        guard FileManager.default.fileExists(atPath: realPath) else {
            page.section(
                "Predicted vs observed effects\(suffix)", intro: "No real DE table was found under \(seedDirectory); nothing to draw.")
            return
        }
        let firstPass = try DETableScan(path: realPath)
        let conditions = EffectFigures.chosenConditions(firstPass, count: 2)
        let real = try DETableScan(path: realPath, keep: Set(conditions))
        let present = models.filter { FileManager.default.fileExists(atPath: "\(variantDirectory)/\(safe($0))/eval-vcc/pred_de.csv") }
        let scans = try Self.scanAll(present.map { "\(variantDirectory)/\(safe($0))/eval-vcc/pred_de.csv" }, keep: Set(conditions))
        let predicted = Array(zip(present, scans)).map { (model: $0.0, scan: $0.1) }
        page.section(
            "Predicted vs observed effects\(suffix)",
            intro: "Per gene, the predicted against the observed change of mean log1p expression (perturbed − control cells) for the "
                + "\(conditions.count) test conditions with the largest observed effect on the first seed (\(conditions.joined(separator: ", "))); "
                + "the five genes with the largest observed change are named. Points on the dashed line are predicted exactly.")
        page.figures(EffectFigures.scatters(real: real, predicted: predicted, conditions: conditions))
        let (svg, table) = EffectFigures.calibration(real: real, predicted: predicted)
        page.section(
            "DE overlap and DE-count calibration\(suffix)",
            intro: "How many genes each model's predicted cells make significant (Wilcoxon, BH fdr < 0.05, cell-eval's test) "
                + "against the real cells' count, per test condition of the first seed. A model whose predicted cells are "
                + "control cells shifted by a mean sits far above the line; one that predicts no change sits at 0. DE overlap "
                + "(overlap_at_N) is in the leaderboard.")
        page.figures([svg])
        page.table(["model", "conditions", "median real", "median predicted", "median (pred + 1)/(real + 1)"], table)
    }

    /// Scans DE tables on every core (each file in one pass).
    static func scanAll(_ paths: [String], keep: Set<String>) throws -> [DETableScan] {
        try parallelMap(paths.count) { i in Result { try DETableScan(path: paths[i], keep: keep) } }.map { try $0.get() }
    }

    func rankHistograms(_ page: inout HTMLReport, variantDirectory: String, models: [String], suffix: String) {
        var charts: [String] = []
        for (m, model) in models.enumerated() {
            let path = "\(variantDirectory)/\(safe(model))/eval-perturbench/results.csv"
            guard let table = try? CSVTable(contentsOf: path), let c = table.header.firstIndex(of: "pearson_delta_rank") else { continue }
            let values = table.rows.compactMap { Double($0[c]) }
            charts.append(
                Histogram(
                    title: model, xLabel: "pearson_delta_rank (0 = own closest)", values: values,
                    marker: (0.5, "0.5: a predictor that cannot tell perturbations apart"), color: ChartPalette.color(m)
                ).svg())
        }
        guard !charts.isEmpty else { return }
        page.section(
            "Rank metric: the collapse check\(suffix)",
            intro: "Per test perturbation (first seed), the rank of its own prediction among all predictions by closeness to its "
                + "observed effect. A model that predicts the same thing for every perturbation piles up at 0.5 (red line); "
                + "a useful one piles up near 0.")
        page.figures(charts)
    }

    func curves(_ page: inout HTMLReport, _ rows: [Row], axis: KeyPath<Row, String?>, name: String, metrics: [String], suffix: String) {
        let all = rows.filter { $0.tier == "all" }
        let models = all.map(\.model).distinctInOrder
        let shown = ["pearson_delta", "overlap_at_N", "mae", "discrimination_score_l1", "rmse"].filter(metrics.contains)
        var charts: [String] = []
        for metric in shown {
            let series = models.enumerated().map { m, model in
                LineChart.Series(
                    name: model, color: ChartPalette.color(m),
                    points: all.filter { $0.model == model }.compactMap { r -> LineChart.Point? in
                        guard let x = r[keyPath: axis].flatMap(Double.init), let v = r.values[metric] else { return nil }
                        return LineChart.Point(x: x, y: v.mean, sd: v.sd.isFinite ? v.sd : nil)
                    }.sorted { $0.x < $1.x })
            }
            charts.append(
                LineChart(title: "\(metric) by \(name)", xLabel: name, yLabel: Self.units[metric] ?? metric, series: series, width: 540)
                    .svg())
        }
        page.section(
            (name == "training fraction" ? "Data scaling" : "Imbalance") + suffix,
            intro: name == "training fraction"
                ? "Each model fit on nested subsets of the training perturbations (every control kept), tested on the same "
                    + "test part; mean ± sd over seeds. A rising curve is a model that gains from data."
                : "Each model fit on a training part whose conditions keep ⌈n·(rank + 1)^−skew⌉ of their n cells; mean ± sd over seeds.")
        page.figures(charts)
    }

    func searches(_ page: inout HTMLReport) throws {
        guard let summary = try? CSVTable(contentsOf: "\(directory)/search.csv") else { return }
        page.section(
            "Hyperparameter search",
            intro: "Each searched model was tuned once on the first seed's validation part; the chosen configuration was retrained "
                + "on every seed. Traces: each trial's validation objective (dots) and the best so far (line).")
        page.table(summary.header, summary.rows)
        var charts: [String] = []
        for (m, row) in summary.rows.enumerated() {
            let (dataset, fraction, level, model) = (row[0], row[1], row[2], row[3])
            let path =
                "\(directory)/runs/\(safe(dataset))/search" + (fraction.isEmpty ? "" : "/fraction\(fraction)")
                + (level.isEmpty ? "" : "/imbalance\(level)") + "/\(safe(model))/trials.csv"
            guard let trials = try? CSVTable(contentsOf: path), let c = trials.header.firstIndex(of: "objective") else { continue }
            let values = trials.rows.map { Double($0[c]) ?? .nan }
            let minimize = summary.header.firstIndex(of: "direction").map { row[$0] != "maximize" } ?? true
            var best = Double.nan
            let trace = values.enumerated().map { i, v -> LineChart.Point in
                if v.isFinite, best.isNaN || (minimize ? v < best : v > best) { best = v }
                return LineChart.Point(x: Double(i + 1), y: best)
            }
            let dots = values.enumerated().map { LineChart.Point(x: Double($0.offset + 1), y: $0.element) }
            charts.append(
                LineChart(
                    title: "\(model): \(row[4]) search", xLabel: "trial", yLabel: "validation objective (\(row[5]))",
                    series: [
                        .init(name: "best so far", color: ChartPalette.color(m), points: trace),
                        .init(name: "trial", color: "#8c959f", points: dots, dashed: true),
                    ], width: 420, height: 300
                ).svg())
        }
        page.figures(charts)
    }
}
