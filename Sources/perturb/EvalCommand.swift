import ArgumentParser
import Foundation
import PerturbKit

/// `perturb eval`: every cell-eval metric (and PerturBench's) for predictions against real data.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate predicted against real cells: DE tables, per-perturbation metrics and their summary, "
            + "as cell-eval writes them (real_de.csv, pred_de.csv, results.csv, agg_results.csv, manifest.json).")

    @Option(help: "The real (ground-truth) .h5ad file.")
    var real: String

    @Option(help: "The predicted .h5ad file (same genes, same perturbations).")
    var pred: String

    @Option(name: [.short, .customLong("output")], help: "Output directory.")
    var output = "eval-output"

    @Option(help: "Metric profile: \(MetricRegistry.profileNames.joined(separator: ", ")).")
    var profile = "full"

    @Option(name: .customLong("skip-metrics"), help: "Comma-separated metrics to leave out.")
    var skipMetrics: String?

    @Option(name: .customLong("de-real"), help: "Use this precomputed real DE table (CSV) instead of computing it.")
    var deReal: String?

    @Option(name: .customLong("de-pred"), help: "Use this precomputed predicted DE table (CSV).")
    var dePred: String?

    @Option(name: .customLong("embed-key"), help: "obsm key for the l2 and cosine discrimination scores.")
    var embedKey: String?

    @Flag(name: .customLong("allow-discrete"), help: "Evaluate integer data as is instead of normalizing it.")
    var allowDiscrete = false

    @Option(name: .customLong("fdr-scope"), help: "Benjamini-Hochberg per 'perturbation' (cell-eval) or 'global' (VCC 2025).")
    var fdrScope = DEOptions.FDRScope.perturbation

    @Option(
        help: "Control cells of the prediction's DE and PDS: 'pred' (its own, as cell-eval 0.8.2) or 'real' (the real file's).")
    var controls = ControlSource.pred

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        guard MetricRegistry.profileNames.contains(profile) else {
            throw ValidationError("--profile must be one of \(MetricRegistry.profileNames.joined(separator: ", ")), got '\(profile)'")
        }
    }

    /// Writes one stage line to stderr.
    @Sendable static func logLine(_ message: String) {
        FileHandle.standardError.write(Data("perturb eval: \(message)\n".utf8))
    }

    func run() throws {
        let quiet = runOptions.quiet
        let skipped = skipMetrics.map(commaList) ?? []
        var log: (@Sendable (String) -> Void)? = nil
        if !quiet { log = EvalCommand.logLine }
        var config = EvaluationConfig(
            realPath: real, predPath: pred, outputDirectory: output, columns: dataset.columns, profile: profile,
            skipMetrics: skipped,
            deRealPath: deReal, dePredPath: dePred, embedKey: embedKey, allowDiscrete: allowDiscrete,
            fdrScope: fdrScope, threads: runOptions.threadCount,
            log: log,
            progress: runOptions.progress("differential expression", unit: "genes"))
        config.controls = controls
        config.notice = { FileHandle.standardError.write(Data("perturb eval: \($0)\n".utf8)) }
        let written = try EvaluationRun.run(config, recorder: RunRecorder())
        if !quiet { FileHandle.standardError.write(Data("perturb eval: wrote \(written.count) files to \(output)\n".utf8)) }
    }
}

extension DEOptions.FDRScope: ExpressibleByArgument {}
extension ControlSource: ExpressibleByArgument {}
