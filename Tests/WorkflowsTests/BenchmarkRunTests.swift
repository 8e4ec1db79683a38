import XCTest
import AnnData
import PerturbData
import Support
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
        let toml = Self.toml(
            name: "test", seeds: 2, split: "strategy = \"unseen-perturbation\"",
            models: "[[models]]\nname = \"linear-pca\"\n[[models]]\nname = \"ridge\"\nparams = { features = \"modules.csv\" }\n"
                + "[[models]]\nname = \"additive\"")
        try toml.write(toFile: dir + "/bench.toml", atomically: true, encoding: .utf8)
        return dir + "/bench.toml"
    }

    /// A benchmark TOML over the simulated file with the given split lines and model tables.
    static func toml(name: String, seeds: Int, split: String, models: String) -> String {
        """
        name = "\(name)"
        seeds = \(seeds)
        [[datasets]]
        name = "sim"
        path = "sim.h5ad"
        prep = { normalize = true, log1p = true, min_cells_per_condition = 20 }
        [split]
        \(split)
        val = 0.15
        test = 0.35
        \(models)
        """
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

    /// A data-scaling split fits every model on each nested training subset; the leaderboard has a fraction column.
    func testDataScalingFitsEveryModelOnEachTrainingFraction() throws {
        _ = try setUpBenchmark()  // writes sim.h5ad and modules.csv
        let dir = Self.directory
        let toml = Self.toml(
            name: "scaling", seeds: 1, split: "strategy = \"data-scaling\"\nfractions = \"0.25,1\"",
            models: "[[models]]\nname = \"ridge\"\nparams = { features = \"modules.csv\" }")
        try toml.write(toFile: dir + "/scaling.toml", atomically: true, encoding: .utf8)
        let config = try BenchmarkConfig.read(path: dir + "/scaling.toml")
        let out = dir + "/scaling"
        let board = try BenchmarkRun.run(config, configPath: dir + "/scaling.toml", output: out, threads: 2, command: ["test"], log: nil)
        let all = board.rows.filter { $0.tier == "all" }
        XCTAssertEqual(Set(all.map { $0.fraction ?? "none" }), ["0.25", "1.0"])
        XCTAssertEqual(all.count, 2 * 4, "ridge and the three reference models at each fraction")
        func value(_ model: String, _ fraction: String) -> Double {
            all.first { $0.model == model && $0.fraction == fraction }!.values["pearson_delta"]!.mean
        }
        // control-mean sees only control cells, which every fraction keeps: identical. The models that learn from
        // perturbed training cells see a quarter of them at 0.25, and predict differently.
        XCTAssertEqual(value("control-mean", "0.25"), value("control-mean", "1.0"), accuracy: 1e-12)
        XCTAssertNotEqual(value("perturbation-mean", "0.25"), value("perturbation-mean", "1.0"))
        XCTAssertNotEqual(value("ridge", "0.25"), value("ridge", "1.0"))
        // The training part of each fraction: every training control, and the subset's conditions only.
        let split = try Split.read(from: out + "/runs/sim/seed0/split.json")
        let subsets = try XCTUnwrap(split.trainSubsets)
        XCTAssertLessThan(subsets["0.25"]!.count, subsets["1.0"]!.count)
        let parts = try SplitParts.load(path: dir + "/sim.h5ad", splitPath: out + "/runs/sim/seed0/split.json")
        let quarter = try parts.withTrainingSubset("0.25")
        XCTAssertEqual(quarter.train.controlCells.count, parts.train.controlCells.count)
        XCTAssertEqual(Set(quarter.train.perturbationLabels), Set(subsets["0.25"]!))
        XCTAssertEqual(quarter.test.cellCount, parts.test.cellCount)
        XCTAssertThrowsError(try parts.withTrainingSubset("0.3"))
        // The CSV carries the fraction; a second run reads everything back.
        let csv = try String(contentsOfFile: out + "/leaderboard.csv", encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("dataset,fraction,tier,model,"), csv)
        let runsCSV = try String(contentsOfFile: out + "/runs.csv", encoding: .utf8)
        XCTAssertTrue(runsCSV.hasPrefix("dataset,seed,fraction,model,tier,"), runsCSV)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/runs/sim/seed0/fraction0.25/ridge/done.json"))
        let lines = LogLines()
        let again = try BenchmarkRun.run(
            config, configPath: dir + "/scaling.toml", output: out, threads: 2, command: ["test"], log: lines.add)
        XCTAssertTrue(lines.all.contains { $0.contains("8 finished runs read back") }, "\(lines.all)")
        XCTAssertEqual(again.csv(), board.csv())
    }

    /// Imbalance levels fit every model on a training part whose conditions keep ⌈n/(rank + 1)^skew⌉ cells.
    func testImbalanceLevelsSkewTheTrainingConditions() throws {
        _ = try setUpBenchmark()
        let dir = Self.directory
        let toml =
            "imbalance = [0, 1.5]\n"
            + Self.toml(
                name: "imbalance", seeds: 1, split: "strategy = \"unseen-perturbation\"",
                models: "[[models]]\nname = \"ridge\"\nparams = { features = \"modules.csv\" }")
        try toml.write(toFile: dir + "/imbalance.toml", atomically: true, encoding: .utf8)
        let config = try BenchmarkConfig.read(path: dir + "/imbalance.toml")
        XCTAssertEqual(config.imbalance, [0, 1.5])
        let out = dir + "/imbalance"
        let board = try BenchmarkRun.run(config, configPath: dir + "/imbalance.toml", output: out, threads: 2, command: ["test"], log: nil)
        let all = board.rows.filter { $0.tier == "all" }
        XCTAssertEqual(Set(all.map { $0.imbalance ?? "none" }), ["0.0", "1.5"])
        func value(_ model: String, _ level: String) -> Double {
            all.first { $0.model == model && $0.imbalance == level }!.values["pearson_delta"]!.mean
        }
        XCTAssertEqual(value("control-mean", "0.0"), value("control-mean", "1.5"), accuracy: 1e-12)
        XCTAssertNotEqual(value("ridge", "0.0"), value("ridge", "1.5"))
        XCTAssertTrue(try String(contentsOfFile: out + "/leaderboard.csv", encoding: .utf8).hasPrefix("dataset,imbalance,tier,"))

        // The skewed training part, by hand: conditions in a seeded order keep ⌈n · (rank + 1)^−1.5⌉, at least 5.
        let parts = try SplitParts.load(path: dir + "/sim.h5ad", splitPath: out + "/runs/sim/seed0/split.json")
        XCTAssertEqual(parts.withImbalance(skew: 0, seed: 0).train.cellCount, parts.train.cellCount)
        let skewed = parts.withImbalance(skew: 1.5, seed: 0)
        XCTAssertEqual(skewed.train.controlCells.count, parts.train.controlCells.count)
        XCTAssertEqual(skewed.test.cellCount, parts.test.cellCount)
        func counts(_ d: PerturbationDataset) -> [Int] {
            d.perturbationLabels.map { d.groups.cellsByPerturbation[$0]!.count }
        }
        let before = counts(parts.train), after = counts(skewed.train).sorted(by: >)
        XCTAssertEqual(after.count, before.count, "every condition keeps cells")
        let n = before.max()!
        XCTAssertTrue(Set(before).count == 1, "the simulation has equal conditions: \(before)")
        let expected = (0..<before.count).map { max(min(n, 5), Int((Double(n) * pow(Double($0 + 1), -1.5)).rounded(.up))) }
        XCTAssertEqual(after, expected.sorted(by: >))
        // Same seed, same cells; another seed, another order.
        XCTAssertEqual(parts.withImbalance(skew: 1.5, seed: 0).train.cellIDs, skewed.train.cellIDs)
        XCTAssertNotEqual(parts.withImbalance(skew: 1.5, seed: 1).train.cellIDs, skewed.train.cellIDs)
    }

    /// A TPE search runs once, on the first seed's split, with a composite objective; every seed retrains the chosen
    /// configuration; a search killed after some trials resumes to the same trials.
    func testSearchRunsOnceOnTheFirstSeedAndResumes() throws {
        _ = try setUpBenchmark()
        let dir = Self.directory
        let toml =
            Self.toml(
                name: "search", seeds: 2, split: "strategy = \"unseen-perturbation\"",
                models: "[[models]]\nname = \"linear-pca\"\ntrials = 6\n"
                    + "search = { k = { low = 1, high = 12 }, lambda = { low = 0.001, high = 100.0, log = true } }")
            + "\n[search]\nobjective = \"rmse + 0.1*rmse_rank\"\nstartup = 3\n"
        try toml.write(toFile: dir + "/search.toml", atomically: true, encoding: .utf8)
        let config = try BenchmarkConfig.read(path: dir + "/search.toml")
        let out = dir + "/search"
        let lines = LogLines()
        try BenchmarkRun.run(config, configPath: dir + "/search.toml", output: out, threads: 2, command: ["test"], log: lines.add)
        XCTAssertEqual(lines.all.filter { $0.contains("linear-pca: trial") }.count, 6, "one search, not one per seed: \(lines.all)")
        let trialsPath = out + "/runs/sim/search/linear-pca/trials.csv"
        let trials = try CSVTable(contentsOf: trialsPath)
        XCTAssertEqual(trials.header, ["trial", "proposal", "seconds", "k", "lambda", "rmse", "rmse_rank", "objective"])
        XCTAssertEqual(trials.rows.map { $0[1] }, ["startup", "startup", "startup", "tpe", "tpe", "tpe"])
        for row in trials.rows {
            let (rmse, rank, objective) = (Double(row[5])!, Double(row[6])!, Double(row[7])!)
            XCTAssertEqual(objective, rmse + 0.1 * rank, accuracy: 1e-12)
            XCTAssertTrue((1...12).contains(Int(row[3])!))
        }
        let best = trials.rows.min { Double($0[7])! < Double($1[7])! }!
        for seed in 0..<2 {
            let record = try XCTUnwrap(RunRecord.read(path: out + "/runs/sim/seed\(seed)/linear-pca/done.json"))
            XCTAssertEqual(record.hyperparameters, ["k": best[3], "lambda": best[4]], "seed \(seed) retrains the chosen one")
            XCTAssertEqual(record.trials.count, 6)
        }
        let summary = try CSVTable(contentsOf: out + "/search.csv")
        XCTAssertEqual(summary.rows.count, 1)
        XCTAssertEqual(summary.rows[0][3...7], ["linear-pca", "tpe", "rmse + 0.1*rmse_rank", "minimize", "6"])
        XCTAssertEqual(Double(summary.rows[0][8])!, Double(best[7])!, accuracy: 1e-9)
        // Killed after three trials: the search resumes and proposes what the uninterrupted one did.
        func withoutSeconds(_ t: CSVTable) -> [[String]] { t.rows.map { r in r.enumerated().filter { $0.offset != 2 }.map(\.element) } }
        let full = withoutSeconds(trials)
        let text = try String(contentsOfFile: trialsPath, encoding: .utf8).split(separator: "\n")
        try (text.prefix(4).joined(separator: "\n") + "\n").write(toFile: trialsPath, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: out + "/runs/sim/search/linear-pca/chosen.json")
        for seed in 0..<2 { try FileManager.default.removeItem(atPath: out + "/runs/sim/seed\(seed)/linear-pca/done.json") }
        let again = LogLines()
        try BenchmarkRun.run(config, configPath: dir + "/search.toml", output: out, threads: 1, command: ["test"], log: again.add)
        XCTAssertTrue(again.all.contains { $0.contains("search resumes after 3 trials") }, "\(again.all)")
        XCTAssertEqual(again.all.filter { $0.contains("linear-pca: trial") }.count, 3)
        XCTAssertEqual(withoutSeconds(try CSVTable(contentsOf: trialsPath)), full)
    }

    /// A benchmark that cannot run fails before any work and leaves no output folder (issue 26).
    func testBadBenchmarksFailBeforeWritingAnything() throws {
        _ = try setUpBenchmark()
        let dir = Self.directory
        let cases: [(String, [String])] = [
            ("[[models]]\nname = \"linear-pca\"\nsearch = { k = [0, 5] }\ntrials = 2", ["models (linear-pca)", "k"]),
            ("[[models]]\nname = \"ridge\"\nparams = { lambda = -1 }", ["models (ridge)", "lambda"]),
        ]
        for (i, (models, needles)) in cases.enumerated() {
            let toml = Self.toml(name: "bad\(i)", seeds: 1, split: "strategy = \"unseen-perturbation\"", models: models)
            try toml.write(toFile: dir + "/bad\(i).toml", atomically: true, encoding: .utf8)
            let config = try BenchmarkConfig.read(path: dir + "/bad\(i).toml")
            let out = dir + "/bad-out\(i)"
            XCTAssertThrowsError(try BenchmarkRun.run(config, configPath: nil, output: out, threads: 1, command: ["test"], log: nil)) {
                for n in needles + ["bad\(i).toml"] { XCTAssertTrue("\($0)".contains(n), "'\(n)' not in \($0)") }
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
        }
        let missing = Self.toml(
            name: "missing", seeds: 1, split: "strategy = \"unseen-perturbation\"", models: "[[models]]\nname = \"linear\""
        )
        .replacingOccurrences(of: "path = \"sim.h5ad\"", with: "path = \"nowhere.h5ad\"")
        try missing.write(toFile: dir + "/missing.toml", atomically: true, encoding: .utf8)
        let config = try BenchmarkConfig.read(path: dir + "/missing.toml")
        XCTAssertThrowsError(
            try BenchmarkRun.run(config, configPath: nil, output: dir + "/missing-out", threads: 1, command: ["test"], log: nil)
        ) {
            XCTAssertTrue("\($0)".contains("datasets[0].path") && "\($0)".contains("nowhere.h5ad"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/missing-out"))
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
