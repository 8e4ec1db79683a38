import XCTest
import AnnData
import PerturbData
@testable import Workflows

/// A small benchmark on simulated data with known truth, run for real.
final class BenchmarkRunTests: XCTestCase {
    static let directory: String = {
        let path = NSTemporaryDirectory() + "perturbkit-bench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Simulates the screen and writes the TOML; returns its path.
    func setUpBenchmark() throws -> String {
        let dir = Self.directory
        var sim = SimulationConfig()
        sim.perturbations = 24
        sim.doubles = 10
        sim.cellsPerPerturbation = 30
        sim.controlCells = 150
        sim.genes = 200
        sim.modules = 8
        sim.moduleSize = 15
        sim.seed = 5
        let simulation = try Simulator.run(sim, threads: 2)
        try simulation.data.write(to: dir + "/sim.h5ad")
        try simulation.moduleMembershipCSV().write(toFile: dir + "/modules.csv", atomically: true, encoding: .utf8)
        let toml = """
            name = "test"
            seeds = 2
            [[datasets]]
            name = "sim"
            path = "sim.h5ad"
            prep = { normalize = true, log1p = true, min_cells_per_condition = 20 }
            [split]
            strategy = "unseen-perturbation"
            val = 0.15
            test = 0.35
            [[models]]
            name = "linear-pca"
            [[models]]
            name = "ridge"
            params = { features = "modules.csv" }
            [[models]]
            name = "additive"
            """
        try toml.write(toFile: dir + "/bench.toml", atomically: true, encoding: .utf8)
        return dir + "/bench.toml"
    }

    func testLeaderboardShowsWhatTheSimulationBuiltInAndIsReproducibleAndResumable() throws {
        let toml = try setUpBenchmark()
        let config = try BenchmarkConfig.read(path: toml)
        let out1 = Self.directory + "/out1", out2 = Self.directory + "/out2"
        let board = try BenchmarkRun.run(config, configPath: toml, output: out1, threads: 2, command: ["test"], log: nil)
        func mean(_ model: String, _ metric: String, tier: String = "all") -> Double {
            board.rows.first { $0.model == model && $0.tier == tier }!.values[metric]!.mean
        }
        // Unseen perturbations: models that can represent a new target beat "no change".
        for model in ["linear-pca", "ridge", "additive"] {
            XCTAssertGreaterThan(mean(model, "pearson_delta"), mean("control-mean", "pearson_delta") + 0.05, model)
            XCTAssertGreaterThan(mean(model, "discrimination_score_l1"), mean("control-mean", "discrimination_score_l1"), model)
        }
        // The same delta for everything: perturbation-mean cannot tell perturbations apart.
        XCTAssertEqual(mean("perturbation-mean", "pearson_delta_rank"), 0.5, accuracy: 0.15)
        XCTAssertEqual(mean("perturbation-mean", "discrimination_score_l1"), 0.5, accuracy: 0.15)
        XCTAssertLessThan(mean("linear-pca", "pearson_delta_rank"), mean("perturbation-mean", "pearson_delta_rank") - 0.1)
        XCTAssertEqual(board.rows.first { $0.tier == "all" }?.values[Leaderboard.scoreColumn("control-mean")].map { $0.mean.isNaN }, false)
        let csv1 = try String(contentsOfFile: out1 + "/leaderboard.csv", encoding: .utf8)
        XCTAssertTrue(csv1.hasPrefix("dataset,tier,model,seeds,perturbations,pearson_delta_mean,pearson_delta_std"))
        for file in [
            "runs.csv", "manifest.json", "runs/sim/seed1/split.json", "runs/sim/seed1/linear-pca/pred.h5ad",
            "runs/sim/seed1/linear-pca/eval-vcc/agg_results.csv", "runs/sim/seed0/additive/done.json",
        ] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out1 + "/" + file), file)
        }
        // Same seed ⇒ the same leaderboard, byte for byte.
        try BenchmarkRun.run(config, configPath: toml, output: out2, threads: 1, command: ["test"], log: nil)
        XCTAssertEqual(try String(contentsOfFile: out2 + "/leaderboard.csv", encoding: .utf8), csv1)
        // Resume: finished runs are read back; a run whose record is gone is redone, to the same numbers.
        try FileManager.default.removeItem(atPath: out2 + "/runs/sim/seed1/additive/done.json")
        let lines = LogLines()
        try BenchmarkRun.run(config, configPath: toml, output: out2, threads: 2, command: ["test"], log: lines.add)
        XCTAssertTrue(lines.all.contains { $0.contains("seed 0: 6 finished runs read back") }, "\(lines.all)")
        XCTAssertEqual(lines.all.filter { $0.hasPrefix("[") }.count, 1, "only the missing run is redone: \(lines.all)")
        XCTAssertEqual(try String(contentsOfFile: out2 + "/leaderboard.csv", encoding: .utf8), csv1)
    }
}

final class LogLines: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NSLock()
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    var add: @Sendable (String) -> Void {
        { [self] line in
            lock.lock(); lines.append(line); lock.unlock()
        }
    }
}
