import Foundation
import Metrics
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
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let records = try BenchmarkRunner(config: config, output: output, threads: threads, log: log).run()
        let board = Leaderboard(records: records, primary: config.primaryMetric, modelOrder: config.models.map(\.label))
        try AtomicFile.write(board.csv(), to: "\(output)/leaderboard.csv")
        try AtomicFile.write(board.markdown(shown: shownColumns), to: "\(output)/leaderboard.md")
        try AtomicFile.write(runsCSV(records, columns: board.columns), to: "\(output)/runs.csv")
        let outputs = ["leaderboard.csv", "leaderboard.md", "runs.csv", "runs/"].map { "\(output)/\($0)" }
        try recorder.finish(
            at: "\(output)/manifest.json", inputPaths: (configPath.map { [$0] } ?? []) + config.datasets.map(\.path),
            outputs: outputs)
        return board
    }

    static func runsCSV(_ records: [RunRecord], columns: [String]) -> String {
        var lines = [
            (["dataset", "seed", "model", "tier", "hyperparameters", "wall_seconds"] + columns).map(CSVFormat.text).joined(separator: ",")
        ]
        for r in records.sorted(by: { ($0.dataset, $0.seed, $0.model) < ($1.dataset, $1.seed, $1.model) }) {
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
                lines.append(
                    ([r.dataset, String(r.seed), r.model, tier, hyper].map(CSVFormat.text) + [CSVFormat.double(r.wallSeconds)] + values)
                        .joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
