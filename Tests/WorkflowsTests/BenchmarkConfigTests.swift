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
            // Issue 26: each of these crashed, or was silently accepted.
            ("seeds = 9223372036854775807\n" + base, ["seeds", "1 to 1000"]),
            ("seeds = 1099511627776\n" + base, ["seeds", "1 to 1000"]),
            ("seeds_list = [1, 1]\n" + base, ["seeds_list", "distinct"]),
            ("seeds_list = []\n" + base, ["seeds_list", "one or more"]),
            ("seeds = 3\nseeds_list = [1]\n" + base, ["seeds", "not both"]),
            ("name = \"../../x\"\n" + base, ["name", "plain name", "../../x"]),
            ("name = \".hidden\"\n" + base, ["name", "plain name"]),
            (
                base.replacingOccurrences(of: "path = \"data/sim.h5ad\"", with: "path = \"data/sim.h5ad\"\nprep = { hvg = 0 }"),
                ["prep.hvg", "at least 1"]
            ),
            (
                base.replacingOccurrences(of: "path = \"data/sim.h5ad\"", with: "path = \"data/sim.h5ad\"\nprep = { hvg = -5 }"),
                ["prep.hvg", "-5"]
            ),
            (base.replacingOccurrences(of: "unseen_singles = 0", with: "unseen_singles = 0\nval = \"0.15\""), ["split.val", "a number"]),
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

    /// toml++ aborts the process (an assertion) on a table header that does not start like a key; the fuzzer found
    /// `[\u{FFFD}models]]` (a flipped byte). Each of these used to kill `perturb benchmark`.
    func testHeadersThatAbortTOMLPlusPlusAreErrors() {
        let cases: [(String, String)] = [
            (base + "\n[\u{FFFD}models]]\nname = \"linear\"", "line 8"),
            (base + "\n[#x]", "'#'"),
            (base + "\n[[=models]]", "'='"),
            (base + "\n[ {x]", "'{'"),
            ("[\n" + base, "the end of the line"),
            (base + "\n[[", "line 8"),
            (base + "\n[é]", "'é'"),
            (base + "\n[[[1]]]", "'['"),
            (base + "\n[\u{0}]", "U+0"),
            // The fuzzer's second find: '[' then a combining mark, which Swift folds into one Character with it.
            (base + "\r\n[\u{61A}\u{61A}x]", "U+61A"),
        ]
        for (text, needle) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("/tmp/b/bench.toml: not valid TOML"), message)
                XCTAssertTrue(message.contains("header must start with a key name"), message)
                XCTAssertTrue(message.contains(needle), "'\(needle)' not in: \(message)")
            }
        }
        // The second shape: a '}' where an array expects a value (found by the fuzzer in `imbalance = [0, 0.5,  }`).
        let arrays = [
            ("imbalance = [0, 0.5,  }\n", "line 1: '}' inside an array"), ("x = [\n}]\n", "line 2: '}' inside an array"),
            ("x = [{a = [ }]\n", "line 1: '}'"), ("x = [\u{2028}1]\n", "line 1: U+2028 outside a string"),
        ]
        for (text, needle) in arrays {
            XCTAssertThrowsError(try parse(text + base), text) { error in
                XCTAssertTrue("\(error)".contains("not valid TOML (" + needle), "\(error)")
            }
        }
    }

    /// Brackets inside strings, comments and multi-line arrays are not headers: valid TOML still parses.
    func testHeaderCheckFollowsStringsCommentsAndArrays() throws {
        let valid = #"""
            seeds_list = [
              1,
              [2][0], # [= not a header: inside an array
            ]
            note = """
            [# inside a multi-line string
            """
            lit = '''
            [=
            '''
            esc = "a\"[#"
            [ "split" ]
            strategy = "combo"
            unseen_singles = 0
            [[datasets]]
            path = "data/sim.h5ad"
            [[models]]
            name = "additive"
            """#
        XCTAssertNil(TOMLParserGuard.firstAbort(in: valid))
        XCTAssertThrowsError(try parse(valid)) { error in
            // Parsed by toml++ and refused later (an array is not a seed), not by the header check.
            XCTAssertFalse("\(error)".contains("header"), "\(error)")
        }
        XCTAssertEqual(TOMLParserGuard.firstAbort(in: valid + "\n[=x]")?.line, 19)
    }

    func testSearchGridIsSampledToTheBudgetBySeed() throws {
        let c = try parse(
            "[search]\nsampler = \"grid\"\n"
                + base.replacingOccurrences(of: "additive", with: "linear-pca")
                + "\nsearch = { k = [2, 5, 10], lambda = [0.01, 0.1, 1] }\ntrials = 4")
        let model = c.models.last!
        XCTAssertEqual(model.sampler, .grid)
        let search = HyperparameterSearch(model: model, settings: c.search, seed: 3)
        let a = try XCTUnwrap(search.gridTrials())
        XCTAssertEqual(a.count, 4)
        XCTAssertEqual(search.trialCount, 4)
        XCTAssertEqual(Set(a.map { $0["k"]! + "/" + $0["lambda"]! }).count, 4, "distinct grid points")
        XCTAssertEqual(a, HyperparameterSearch(model: model, settings: c.search, seed: 3).gridTrials(), "same seed, same trials")
        XCTAssertEqual((0..<4).map { search.propose($0, after: []).0 }, a)
        var all = model
        all.trials = 100
        all.sampler = .tpe
        let whole = HyperparameterSearch(model: all, settings: c.search, seed: 0)
        XCTAssertEqual(whole.trialCount, 9, "the whole grid, once, when the budget allows, whatever the sampler")
        XCTAssertEqual(whole.propose(8, after: []).1, "grid")
    }

    func testSearchTableRangesAndObjective() throws {
        let c = try parse(
            "[search]\nobjective = \"rmse + 0.1*rmse_rank\"\nstartup = 4\n"
                + base.replacingOccurrences(of: "additive", with: "linear-pca")
                + "\nsearch = { k = { low = 2, high = 40, log = true }, lambda = { low = 1e-3, high = 10.0, log = true } }"
                + "\ntrials = 12")
        XCTAssertEqual(c.search.objective.names, ["rmse", "rmse_rank"])
        XCTAssertTrue(c.search.minimize, "rmse is better small, so the composite is minimized")
        XCTAssertEqual(c.search.startupTrials, 4)
        let model = c.models.last!
        XCTAssertEqual(model.sampler, .tpe, "TPE by default")
        XCTAssertEqual(model.search["k"], .integer(low: 2, high: 40, log: true))
        XCTAssertEqual(model.search["lambda"], .real(low: 1e-3, high: 10, log: true))
        XCTAssertEqual(try parse(base).search.objective.description, "pearson_delta", "the primary metric by default")
        XCTAssertFalse(try parse(base).search.minimize, "pearson_delta is maximized")
        // Proposals stay inside the ranges and are reproducible; the first `startup` are prior draws.
        let search = HyperparameterSearch(model: model, settings: c.search, seed: 1)
        var done: [HyperparameterSearch.Trial] = []
        for i in 0..<8 {
            let (h, how) = search.propose(i, after: done)
            XCTAssertEqual(how, i < 4 ? "startup" : "tpe")
            XCTAssertEqual(h, search.propose(i, after: done).0)
            let k = try XCTUnwrap(Int(h["k"]!)), lambda = try XCTUnwrap(Double(h["lambda"]!))
            XCTAssertTrue((2...40).contains(k) && lambda >= 1e-3 && lambda <= 10, "\(h)")
            done.append(.init(hyperparameters: h, metrics: [:], objective: log(lambda) * log(lambda), proposal: how, seconds: 0))
        }
        let lp = base.replacingOccurrences(of: "additive", with: "linear-pca")
        let bad: [(String, [String])] = [
            ("[search]\nobjective = \"rmse + bogus\"\n" + base, ["search.objective", "bogus"]),
            ("[search]\nobjective = \"rmse +\"\n" + base, ["search.objective", "expected a number"]),
            ("[search]\nobjective = \"rmse\"\ndirection = \"up\"\n" + base, ["search.direction", "up"]),
            ("[search]\nsampler = \"anneal\"\n" + base, ["search.sampler", "tpe, random, grid"]),
            ("[search]\nsampler = \"grid\"\n" + lp + "\nsearch = { lambda = { low = 0.1, high = 1.0 } }", ["grid sampler"]),
            (lp + "\nsearch = { lambda = { low = 0.0, high = 1.0, log = true } }", ["search.lambda.low", "greater than 0"]),
            (lp + "\nsearch = { lambda = { low = 1.0, high = 0.5 } }", ["search.lambda", "low < high"]),
            (lp + "\nsearch = { lambda = [] }", ["search.lambda", "non-empty"]),
            (lp + "\ntrials = 0", ["trials", "at least 1"]),
        ]
        for (text, needles) in bad {
            XCTAssertThrowsError(try parse(text), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("/tmp/b/bench.toml"), message)
                for n in needles { XCTAssertTrue(message.contains(n), "'\(n)' not in: \(message)") }
            }
        }
    }

    func testObjectiveExpression() throws {
        let e = try ObjectiveExpression("rmse + 0.1*rmse_rank")
        XCTAssertEqual(e.evaluate(["rmse": 2, "rmse_rank": 0.5]), 2.05, accuracy: 1e-15)
        XCTAssertTrue(e.evaluate(["rmse": 2]).isNaN, "a missing metric makes the objective NaN")
        XCTAssertEqual(try ObjectiveExpression("1 - 2 - 3").evaluate([:]), -4, "left-associative")
        XCTAssertEqual(try ObjectiveExpression("2 + 3 * 4").evaluate([:]), 14, "* before +")
        XCTAssertEqual(try ObjectiveExpression("(2 + 3) * -4 / 2").evaluate([:]), -10)
        XCTAssertEqual(try ObjectiveExpression("1.5e-1*a").evaluate(["a": 2]), 0.3, accuracy: 1e-15)
        XCTAssertEqual(try ObjectiveExpression("-mae").singleName, nil)
        XCTAssertEqual(try ObjectiveExpression(" mae ").singleName, "mae")
        XCTAssertEqual(try ObjectiveExpression("a*b + a").names, ["a", "b"])
        for text in ["", "rmse +", "(rmse", "rmse rmse", "2 $ 3", "1e"] {
            XCTAssertThrowsError(try ObjectiveExpression(text), text)
        }
    }
}
