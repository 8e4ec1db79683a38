import ArgumentParser
import PerturbKit

/// The `perturb` command-line tool: one subcommand per file, no logic beyond parsing.
@main
struct Perturb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perturb",
        abstract: "Virtual-cell perturbation modeling: data, forward and reverse prediction, evaluation.",
        version: PerturbKitVersion.current,
        subcommands: [Inspect.self, Simulate.self, Prep.self, SplitData.self, Eval.self, Score.self, Baseline.self, EmbedEval.self,
                      Fit.self, Predict.self, Reverse.self, Screen.self, Models.self, BenchmarkCmd.self, DemoCmd.self])
}
