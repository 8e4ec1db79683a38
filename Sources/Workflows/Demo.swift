import Foundation
import PerturbData
import Support

/// `perturb demo`: the whole forward path on simulated data with known truth — simulate a screen (singles and
/// doubles, two batches) and its module annotations, then benchmark every baseline on a combo split (prep fit
/// on training cells, fit, predict, evaluate, score), print the leaderboard and write the HTML report.
public enum Demo {
    /// The benchmark the demo runs, as TOML (written to `demo.toml` so it can be edited and rerun).
    public static func configTOML(seeds: Int) -> String {
        """
        # Written by `perturb demo`; rerun with `perturb benchmark demo.toml -o bench`.
        name = "demo"
        seeds = \(seeds)
        profiles = ["vcc", "perturbench"]
        primary = "pearson_delta"

        [[datasets]]
        name = "simulated"
        path = "sim.h5ad"
        batch_col = "batch"
        prep = { normalize = true, log1p = true, hvg = 600 }

        [split]
        strategy = "combo"
        unseen_singles = 0.25
        val = 0.15
        test = 0.3

        [[models]]
        name = "context-mean"
        [[models]]
        name = "additive"
        [[models]]
        name = "linear"
        [[models]]
        name = "ridge"
        [[models]]
        name = "ridge"
        label = "ridge-modules"
        params = { features = "module_features.csv" }
        [[models]]
        name = "linear-pca"
        search = { k = [5, 10, 20] }
        trials = 3

        """
    }

    /// The simulated screen the demo uses.
    public static var simulation: SimulationConfig {
        var c = SimulationConfig()
        c.perturbations = 48
        c.doubles = 24
        c.cellsPerPerturbation = 60
        c.controlCells = 400
        c.genes = 1000
        c.modules = 16
        c.batches = 2
        c.seed = 1
        return c
    }

    /// Runs the demo into `output`; returns the leaderboard.
    public static func run(
        output: String, seeds: Int, threads: Int, command: [String],
        log: (@Sendable (String) -> Void)?
    ) throws -> Leaderboard {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        log?(
            "simulating \(simulation.perturbations) singles and \(simulation.doubles) doubles × \(simulation.cellsPerPerturbation) cells, \(simulation.genes) genes"
        )
        let sim = try Simulator.run(simulation, threads: threads)
        try sim.data.write(to: "\(output)/sim.h5ad")
        try AtomicFile.write(Data(sim.moduleMembershipCSV().utf8), to: "\(output)/module_features.csv")
        let tomlPath = "\(output)/demo.toml"
        try AtomicFile.write(Data(configTOML(seeds: seeds).utf8), to: tomlPath)
        let config = try BenchmarkConfig.read(path: tomlPath)
        let board = try BenchmarkRun.run(
            config, configPath: tomlPath, output: "\(output)/bench", threads: threads,
            command: command, log: log)
        try ReportRun.run(directory: "\(output)/bench", output: reportPath(output))
        return board
    }

    /// Where the demo writes its HTML report.
    public static func reportPath(_ output: String) -> String { "\(output)/report.html" }
}
