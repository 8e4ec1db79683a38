import ArgumentParser
import Foundation
import PerturbKit

/// `perturb score`: a model's aggregate results against a baseline's (cell-eval's `score`).
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score agg_results.csv against a baseline's: per metric improvement over the baseline, clipped at 0, "
            + "and their average (VCC overall = 100 × avg_score on the vcc profile).")

    @Option(help: "agg_results.csv of the model.")
    var results: String

    @Option(help: "agg_results.csv of the baseline (e.g. perturb baseline, then perturb eval).")
    var baseline: String

    @Option(name: [.short, .customLong("output")], help: "Write the scores as CSV here (metric,from_baseline).")
    var output: String?

    func run() throws {
        let score = try BaselineScore.compute(userPath: results, basePath: baseline)
        if let output { try AtomicFile.write(score.csv(), to: output) }
        for (metric, value) in score.scores { print("\(metric)\t\(CSVFormat.double(value))") }
        print("avg_score\t\(CSVFormat.double(score.average))")
        print("overall (100 × avg_score)\t\(CSVFormat.double(100 * score.average))")
    }
}
