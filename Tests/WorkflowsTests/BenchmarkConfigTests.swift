import XCTest
@testable import Workflows

final class BenchmarkConfigTests: XCTestCase {
    let base = """
        [[datasets]]
        path = "data/sim.h5ad"
        [split]
        strategy = "combo"
        unseen_singles = 0
        [[models]]
        name = "additive"
        """

    func parse(_ text: String) throws -> BenchmarkConfig { try BenchmarkConfig(toml: text, path: "/tmp/b/bench.toml") }

    func testDefaultsAndReferences() throws {
        let c = try parse(base)
        XCTAssertEqual(c.seeds, [0, 1, 2, 3, 4], "five seeds by default")
        XCTAssertEqual(c.profiles, ["vcc", "perturbench"])
        XCTAssertEqual(c.primaryMetric, "pearson_delta")
        XCTAssertEqual(
            c.models.map(\.label), ["cell-mean", "control-mean", "perturbation-mean", "additive"], "score references added first")
        XCTAssertEqual(c.cells, .resample, "predicted cells are resampled by default")
        XCTAssertEqual(try parse("cells = \"shift\"\n" + base).cells, .shift)
        XCTAssertEqual(c.datasets[0].path, "/tmp/b/data/sim.h5ad", "relative to the TOML file")
        XCTAssertEqual(c.datasets[0].name, "sim")
        XCTAssertEqual(c.splitParameters, ["unseen_singles": "0"])
        // A feature table is a path next to the config; the built-in feature names stay names.
        let features = try parse(
            base + """

                [[models]]
                name = "state-transition"
                params = { features = "loadings" }
                [[models]]
                name = "ridge"
                params = { features = "genes.csv" }
                """)
        XCTAssertEqual(features.models.compactMap { $0.hyperparameters["features"] }, ["loadings", "/tmp/b/genes.csv"])
    }

    func testRunKeyTextOfPrepIsTheRoundOneReflection() {
        // Finished runs are found again by a hash over this text: it must read exactly as Swift reflected the
        // optional when the type lived in the module `Benchmark`, whatever the module is called now.
        var prep = BenchmarkConfig.Prep()
        prep.keep = "dataset=norman19"
        prep.dropLabels = ["un\"assigned", "multiple"]
        prep.hvg = 600
        let reflected = String(reflecting: Optional(prep)).replacingOccurrences(of: "Workflows.", with: "Benchmark.")
        XCTAssertEqual(BenchmarkConfig.Prep.runKeyText(prep), reflected)
        XCTAssertTrue(reflected.hasPrefix("Optional(Benchmark.BenchmarkConfig.Prep(keep: Optional(\"dataset=norman19\")"))
        XCTAssertEqual(BenchmarkConfig.Prep.runKeyText(nil), "nil")
    }

    func testMistakesNameTheFileAndField() {
        let cases: [(String, [String])] = [
            (base + "\nseeds = 0", ["seeds"]),
            (base.replacingOccurrences(of: "additive", with: "addditive"), ["addditive", "linear-pca"]),
            (base + "\nparams = { alpha = 1 }", ["models[0]: alpha", "lambda"].dropLast() + ["hyperparameter of additive"]),
            (base + "\ncolour = 1", ["models[0]: colour"]),
            (base.replacingOccurrences(of: "combo", with: "combination"), ["strategy", "combination"]),
            (base.replacingOccurrences(of: "unseen_singles", with: "unseen_single"), ["unseen_single"]),
            (base + "\n[[models]]\nname = \"additive\"", ["distinct labels"]),
            ("primary = \"de_nsig_counts\"\n" + base, ["primary"]),
            ("profiles = [\"fast\"]\n" + base, ["profiles", "fast"]),
            // pearson_delta is not in vcc (the only profile run): the run would rank by a metric nobody computes.
            ("profiles = [\"vcc\"]\n" + base, ["primary", "'pearson_delta' is in", "perturbench", "add one of them"]),
            ("cells = \"jitter\"\n" + base, ["cells", "resample, shift", "jitter"]),
            ("imbalance = [-1]\n" + base, ["imbalance", "skew levels ≥ 0"]),
            ("[split]\nstrategy = \"combo\"", ["datasets"]),
            ("this is = not toml =", ["not valid TOML"]),
        ]
        for (text, needles) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("/tmp/b/bench.toml") || message.contains("model "), message)
                for n in needles { XCTAssertTrue(message.contains(n), "'\(n)' not in: \(message)") }
            }
        }
    }

    func testSearchGridIsSampledToTheBudgetBySeed() throws {
        let c = try parse(
            base.replacingOccurrences(of: "additive", with: "linear-pca")
                + "\nsearch = { k = [2, 5, 10], lambda = [0.01, 0.1, 1] }\ntrials = 4")
        let model = c.models.last!
        let a = HyperparameterSearch(model: model, seed: 3).candidates()
        XCTAssertEqual(a.count, 4)
        XCTAssertEqual(Set(a.map { $0["k"]! + "/" + $0["lambda"]! }).count, 4, "distinct grid points")
        XCTAssertEqual(a, HyperparameterSearch(model: model, seed: 3).candidates(), "same seed, same trials")
        var all = model
        all.trials = 100
        XCTAssertEqual(HyperparameterSearch(model: all, seed: 0).candidates().count, 9, "the whole grid when the budget allows")
    }
}
