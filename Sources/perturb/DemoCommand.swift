import ArgumentParser
import Foundation
import PerturbKit

/// `perturb demo`: the whole forward path on simulated data.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Simulate a screen with known truth, then prep → split → fit every baseline → predict → evaluate "
            + "→ score, over several seeds; prints the leaderboard and writes every file under the output directory.")

    @Option(name: [.short, .customLong("output")], help: "Output directory.") var output = "demo-output"
    @Option(help: "Seeds (splits and models).") var seeds = 3
    @OptionGroup var runOptions: RunOptions

    func run() throws {
        let log: (@Sendable (String) -> Void)? = runOptions.quiet ? nil : stderrLine
        let board = try Demo.run(
            output: output, seeds: seeds, threads: runOptions.threadCount,
            command: CommandLine.arguments, log: log)
        print(board.text(shown: BenchmarkRun.shownColumns))
        print("report: \(Demo.reportPath(output)) (open it in a browser; it needs no network)")
        note(
            "wrote \(output)/sim.h5ad, \(output)/demo.toml and \(output)/bench/ (leaderboard.csv, runs.csv, runs/, manifest.json)",
            quiet: runOptions.quiet)
    }
}
