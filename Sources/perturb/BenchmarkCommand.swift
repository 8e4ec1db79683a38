import ArgumentParser
import Foundation
import PerturbKit

/// `perturb benchmark`: datasets × split × models × seeds → leaderboard.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Run a benchmark described in TOML: every dataset × seed × model is split, fit, predicted and "
            + "evaluated; writes leaderboard.csv (mean ± std over seeds, per tier), runs.csv, per-run results and "
            + "a manifest. Finished runs are kept, so an interrupted benchmark resumes.",
        discussion: "Keys are documented in docs/BENCHMARK_CONFIG.md; examples in examples/*.toml.")

    @Argument(help: "Benchmark TOML file.") var config: String
    @Option(name: [.short, .customLong("output")], help: "Output directory (default: bench-<name>).") var output: String?
    @Option(help: "Override the file's `cells`: resample or shift (how predicted cells are made from a mean).")
    var cells: CellGeneration?
    @OptionGroup var runOptions: RunOptions

    func run() throws {
        var parsed = try BenchmarkConfig.read(path: config)
        if let cells { parsed.cells = cells }
        let directory = output ?? "bench-\(parsed.name)"
        let quiet = runOptions.quiet
        let log: (@Sendable (String) -> Void)? = quiet ? nil : stderrLine
        let board = try BenchmarkRun.run(
            parsed, configPath: config, output: directory, threads: runOptions.threadCount,
            command: CommandLine.arguments, log: log)
        print(board.text(shown: BenchmarkRun.shownColumns))
        note("wrote \(directory)/leaderboard.csv, runs.csv, runs/ and manifest.json", quiet: quiet)
    }
}
