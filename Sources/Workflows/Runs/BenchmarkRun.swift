import Foundation
import Metrics
import Models
import PerturbData
import Support

/// `perturb benchmark` as one job: run (or resume) every dataset × seed × model with `BenchmarkRunner`, then
/// write `leaderboard.csv`, `leaderboard.md`, `runs.csv` (one row per run and tier) and `manifest.json`, each
/// atomically.
public enum BenchmarkRun {
    /// Columns shown in the printed table.
    public static let shownColumns = [
        "pearson_delta", "pearson_delta_ceiling", "discrimination_score_l1", "pearson_delta_rank", "mae", "overlap_at_N",
        "de_nsig_counts_real", "de_nsig_counts_pred", Leaderboard.scoreColumn("cell-mean"), Leaderboard.scoreColumn("control-mean"),
    ]

    /// Runs `config` into `output`, writes the reports, and returns the leaderboard.
    @discardableResult
    public static func run(
        _ config: BenchmarkConfig, configPath: String?, output: String, threads: Int, command: [String],
        log: (@Sendable (String) -> Void)?
    ) throws -> Leaderboard {
        let recorder = RunRecorder(command: command)
        try preflight(config)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let records = try BenchmarkRunner(config: config, output: output, threads: threads, log: log).run()
        let board = Leaderboard(records: records, primary: config.primaryMetric, modelOrder: config.models.map(\.label))
        try AtomicFile.write(board.csv(), to: "\(output)/leaderboard.csv")
        try AtomicFile.write(board.markdown(shown: shownColumns), to: "\(output)/leaderboard.md")
        try AtomicFile.write(runsCSV(records, columns: board.columns), to: "\(output)/runs.csv")
        var written = ["leaderboard.csv", "leaderboard.md", "runs.csv", "runs/"]
        if let text = searchCSV(records, config: config) {
            try AtomicFile.write(text, to: "\(output)/search.csv")
            written.append("search.csv")
        }
        let outputs = written.map { "\(output)/\($0)" }
        try recorder.finish(
            at: "\(output)/manifest.json", inputPaths: (configPath.map { [$0] } ?? []) + config.datasets.map(\.path),
            outputs: outputs)
        return board
    }

    /// What can be checked before any work starts, so that a bad benchmark fails at once and writes nothing: every
    /// dataset file is readable, and every model accepts its hyperparameters with each listed search value (intervals
    /// at their bounds).
    static func preflight(_ config: BenchmarkConfig) throws {
        for (i, dataset) in config.datasets.enumerated() where !FileManager.default.isReadableFile(atPath: dataset.path) {
            throw BenchmarkError.invalidField(
                path: config.path, field: "datasets[\(i)].path", expected: "a readable .h5ad file, got \(dataset.path)")
        }
        for model in config.models {
            var candidates = [model.hyperparameters]
            for (key, dimension) in model.search.sorted(by: { $0.key < $1.key }) {
                let values: [String]
                switch dimension {
                case .choice(let v): values = v
                case .real(let low, let high, _): values = [String(low), String(high)]
                case .integer(let low, let high, _): values = [String(low), String(high)]
                }
                candidates += values.map { model.hyperparameters.merging([key: $0]) { _, b in b } }
            }
            for hyperparameters in candidates {
                do { _ = try forwardModels.make(model.name, hyperparameters: Hyperparameters(hyperparameters)) } catch {
                    throw BenchmarkError.invalidField(
                        path: config.path, field: "models (\(model.label))", expected: "hyperparameters the model accepts: \(error)")
                }
            }
        }
    }

    /// `search.csv`: per dataset (and fraction and skew level) and searched model, the sampler, objective, its
    /// direction, trial count, best validation objective and the chosen hyperparameters (nil when nothing was searched).
    static func searchCSV(_ records: [RunRecord], config: BenchmarkConfig) -> String? {
        let searched = records.filter { $0.seed == config.seeds[0] && !$0.trials.isEmpty }
        guard !searched.isEmpty else { return nil }
        var lines = [
            [
                "dataset", "fraction", "imbalance", "model", "sampler", "objective", "direction", "trials", "best_objective",
                "hyperparameters",
            ]
            .joined(separator: ",")
        ]
        for r in searched {
            let sampler = config.models.first { $0.label == r.model }.map {
                HyperparameterSearch(model: $0, settings: config.search, seed: config.seeds[0]).effectiveSampler.rawValue
            }
            let finite = r.trials.map(\.validation).filter(\.isFinite)
            let best = config.search.minimize ? finite.min() : finite.max()
            let hyper = r.hyperparameters.keys.sorted().map { "\($0)=\(r.hyperparameters[$0]!)" }.joined(separator: ";")
            let fields =
                [
                    r.dataset, r.fraction ?? "", r.imbalance ?? "", r.model, sampler ?? "",
                    config.search.objective.description, config.search.minimize ? "minimize" : "maximize", String(r.trials.count),
                ].map(CSVFormat.text) + [best.map(CSVFormat.double) ?? "", CSVFormat.text(hyper)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func runsCSV(_ records: [RunRecord], columns: [String]) -> String {
        // Data-scaling benchmarks add the training fraction after the seed, imbalance benchmarks the skew level.
        let fractions = records.contains { $0.fraction != nil }, levels = records.contains { $0.imbalance != nil }
        func scenario(_ r: RunRecord) -> [String] { (fractions ? [r.fraction ?? ""] : []) + (levels ? [r.imbalance ?? ""] : []) }
        let names = ["dataset", "seed"] + (fractions ? ["fraction"] : []) + (levels ? ["imbalance"] : [])
        var lines = [
            (names + ["model", "tier", "hyperparameters", "wall_seconds"] + columns)
                .map(CSVFormat.text).joined(separator: ",")
        ]
        func order(_ r: RunRecord) -> (String, UInt64, Double, Double, String) {
            (r.dataset, r.seed, r.fraction.flatMap(Double.init) ?? 0, r.imbalance.flatMap(Double.init) ?? 0, r.model)
        }
        for r in records.sorted(by: { order($0) < order($1) }) {
            for tier in r.metrics.keys.sorted() {
                let values = columns.map { c -> String in
                    if let v = r.metrics[tier]?[c] { return CSVFormat.double(v) }
                    if tier == "all", let reference = BenchmarkConfig.referenceModels.first(where: { Leaderboard.scoreColumn($0) == c }),
                        let v = r.scores[reference]
                    {
                        return CSVFormat.double(v)
                    }
                    return ""
                }
                let hyper = r.hyperparameters.keys.sorted().map { "\($0)=\(r.hyperparameters[$0]!)" }.joined(separator: ";")
                let keys: [String] = [r.dataset, String(r.seed)] + scenario(r) + [r.model, tier, hyper]
                let fields: [String] = keys.map(CSVFormat.text) + [CSVFormat.double(r.wallSeconds)] + values
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
