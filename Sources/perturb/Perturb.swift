import ArgumentParser
import PerturbKit

/// The `perturb` command-line tool: one subcommand per file, no logic beyond parsing.
@main
struct Perturb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perturb",
        abstract: "Virtual-cell perturbation modeling: data, forward and reverse prediction, evaluation.",
        version: PerturbKitVersion.current,
        subcommands: [
            InspectCommand.self, SimulateCommand.self, PrepCommand.self, SplitCommand.self, EvalCommand.self, ScoreCommand.self,
            BaselineCommand.self, EmbedEvalCommand.self,
            FitCommand.self, PredictCommand.self, ReverseCommand.self, ScreenCommand.self, ModelsCommand.self,
            BenchmarkCommand.self, ReportCommand.self, DemoCommand.self,
        ])
}
