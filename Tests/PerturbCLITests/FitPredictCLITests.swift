import Foundation
import PerturbKit
import XCTest

/// `perturb fit` → `perturb predict` → `perturb eval` from the command line, and a model refused on other genes.
extension CLITests {
    /// The simulated counts normalized and log1p'd into `prepped`, split by unseen perturbation into `split`.
    func prepareAndSplit(prepped: String, split: String) throws {
        XCTAssertEqual(
            try perturb([
                "prep", simCounts, "--normalize", "--log1p", "--min-cells-per-condition", "0",
                "--min-cells-per-combination", "0", "-o", prepped, "--quiet",
            ]).status, 0)
        XCTAssertEqual(
            try perturb(["split", prepped, "--strategy", "unseen-perturbation", "--test", "0.3", "-o", split, "--quiet"]).status, 0)
    }

    func testFitPredictEvaluateAndRefuseOtherGenes() throws {
        let dir = try directory()
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let prepped = path("prepped.h5ad"), split = path("split.json"), model = path("model")
        try prepareAndSplit(prepped: prepped, split: split)
        let fit = try perturb(["fit", prepped, "--split", split, "--model", "linear-pca", "--param", "k=5", "-o", model])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        for file in ["model.json", "genes.txt", "parameters.bin", "manifest.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: model + "/" + file), file)
        }
        let predict = try perturb([
            "predict", model, "--data", prepped, "--split", split, "-o", path("pred.h5ad"),
            "--real-output", path("real.h5ad"), "--quiet",
        ])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let eval = try perturb([
            "eval", "--real", path("real.h5ad"), "--pred", path("pred.h5ad"), "--profile", "vcc",
            "-o", path("results"),
        ])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("results/agg_results.csv")))
        XCTAssertTrue(eval.stderr.contains("calibration, median over"), "every eval prints the calibration line: \(eval.stderr)")
        XCTAssertTrue(eval.stderr.contains("significant DE genes real"), eval.stderr)

        // Values that are not log1p of normalized counts cannot be resampled: a clear error naming the file, a
        // cell and the way out; `--cells shift` still predicts from them.
        var scaled = try AnnData.read(path: prepped)
        if var x = scaled.X {
            for k in x.values.indices { x.values[k] *= 1.37 }
            scaled.X = x
        }
        let odd = path("scaled.h5ad")
        try scaled.write(to: odd)
        try assertFails(
            ["predict", model, "--data", odd, "--split", split, "-o", path("odd.h5ad")],
            mentioning: [odd, "not log1p of normalized counts", "--cells shift"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("odd.h5ad")))
        let shifted = try perturb([
            "predict", model, "--data", odd, "--split", split, "--cells", "shift", "-o", path("odd.h5ad"), "--quiet",
        ])
        XCTAssertEqual(shifted.status, 0, shifted.stderr)

        // The same cells with fewer genes: the model must refuse, naming the data file, and write nothing.
        let fewer = path("fewer.h5ad")
        XCTAssertEqual(
            try perturb([
                "prep", prepped, "--hvg", "30", "--min-cells-per-condition", "0",
                "--min-cells-per-combination", "0", "-o", fewer, "--quiet",
            ]).status, 0)
        try assertFails(
            ["predict", model, "--data", fewer, "--split", split, "-o", path("bad.h5ad")],
            mentioning: [fewer, "genes differ", "linear-pca"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad.h5ad")))
        try assertFails(["fit", prepped, "--split", split, "--model", "linaer", "-o", path("m2")], mentioning: ["linaer", "linear-pca"])
        try assertFails(
            ["fit", prepped, "--split", split, "--model", "ridge", "--param", "lambda=-1", "-o", path("m3")],
            mentioning: ["lambda=-1"])
    }

    /// The seed recorded is the seed used: `--param seed=7 --seed 3` is refused before anything is written,
    /// `--param seed=7` alone trains and records 7, and `perturb models` says which models take no seed.
    func testTheRecordedSeedIsTheSeedUsed() throws {
        let dir = try directory()
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let prepped = path("prepped.h5ad"), split = path("split.json")
        try prepareAndSplit(prepped: prepped, split: split)
        let tiny = ["--model", "latent-additive", "--param", "epochs=1", "--param", "hidden=8", "--param", "latent=4"]
        try assertFails(
            ["fit", prepped, "--split", split] + tiny + ["--param", "seed=7", "--seed", "3", "-o", path("conflict")],
            mentioning: ["seed=7", "3", "latent-additive"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("conflict")))
        // A device that is not cpu/cuda[:K], and a CUDA device this libtorch does not see, are refused.
        try assertFails(
            ["fit", prepped, "--split", split] + tiny + ["--device", "gpu", "-o", path("d")], mentioning: ["--device", "gpu"])
        if Torch.cudaDeviceCount == 0 {
            try assertFails(
                ["fit", prepped, "--split", split] + tiny + ["--device", "cuda", "-o", path("d")], mentioning: ["CUDA device 0"])
        }
        // So are an unknown precision and float16 on the CPU; bfloat16 mixed precision trains on the CPU.
        try assertFails(
            ["fit", prepped, "--split", split] + tiny + ["--precision", "fp8", "-o", path("d")], mentioning: ["--precision", "fp8"])
        try assertFails(
            ["fit", prepped, "--split", split] + tiny + ["--precision", "fp16", "-o", path("d")], mentioning: ["fp16", "CUDA", "bf16"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("d")))
        let bf16 = try perturb(["fit", prepped, "--split", split] + tiny + ["--precision", "bf16", "-o", path("bf16")])
        XCTAssertEqual(bf16.status, 0, bf16.stderr)
        XCTAssertTrue(bf16.stderr.contains("in bf16 mixed precision"), bf16.stderr)

        let fit = try perturb(["fit", prepped, "--split", split] + tiny + ["--param", "seed=7", "-o", path("m7"), "--quiet"])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("m7/manifest.json")))) as? [String: Any]
        XCTAssertEqual(manifest?["seed"] as? Int, 7)
        let model = try String(contentsOfFile: path("m7/model.json"), encoding: .utf8)
        XCTAssertTrue(model.contains("\"seed\" : \"7\""), model)
        // latent-additive has no embedding for the test part's unseen perturbations: predict says so (issue 26).
        let unseen = try perturb(["predict", path("m7"), "--data", prepped, "--split", split, "-o", path("m7.h5ad")])
        XCTAssertEqual(unseen.status, 0, unseen.stderr)
        XCTAssertTrue(
            unseen.stderr.contains("predicted perturbations have members latent-additive never saw in training")
                && unseen.stderr.contains("it predicts them as the control mean"), unseen.stderr)
        // Agreeing values are one seed, not a conflict.
        XCTAssertEqual(
            try perturb(
                ["fit", prepped, "--split", split] + tiny + [
                    "--param", "seed=7", "--seed", "7", "-o", path("m77"),
                    "--quiet",
                ]
            ).status, 0)

        let models = try perturb(["models"])
        XCTAssertEqual(models.status, 0, models.stderr)
        XCTAssertTrue(models.stdout.contains("Forward models") && models.stdout.contains("Reverse models"))
        let lines = models.stdout.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("linear-pca: ") && $0.hasSuffix("(takes no seed)") }, models.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("latent-additive: ") && !$0.hasSuffix("(takes no seed)") }, models.stdout)
        XCTAssertEqual(try perturb(["fit", "--list"]).stdout, try perturb(["models", "--forward"]).stdout)
        XCTAssertEqual(try perturb(["reverse", "--list"]).stdout, try perturb(["models", "--reverse"]).stdout)
    }
}
