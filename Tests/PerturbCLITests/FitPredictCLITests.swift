import Foundation
import PerturbKit
import XCTest

/// `perturb fit` → `perturb predict` → `perturb eval` from the command line, and a model refused on other genes.
extension CLITests {
    func testFitPredictEvaluateAndRefuseOtherGenes() throws {
        let dir = try directory()
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let prepped = path("prepped.h5ad"), split = path("split.json"), model = path("model")
        XCTAssertEqual(try perturb(["prep", simCounts, "--normalize", "--log1p", "--min-cells-per-condition", "0",
                                    "--min-cells-per-combination", "0", "-o", prepped, "--quiet"]).status, 0)
        XCTAssertEqual(try perturb(["split", prepped, "--strategy", "unseen-perturbation", "--test", "0.3", "-o", split, "--quiet"]).status, 0)
        let fit = try perturb(["fit", prepped, "--split", split, "--model", "linear-pca", "--param", "k=5", "-o", model])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        for file in ["model.json", "genes.txt", "parameters.bin", "manifest.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: model + "/" + file), file)
        }
        let predict = try perturb(["predict", model, "--data", prepped, "--split", split, "-o", path("pred.h5ad"),
                                   "--real-output", path("real.h5ad"), "--quiet"])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let eval = try perturb(["eval", "--real", path("real.h5ad"), "--pred", path("pred.h5ad"), "--profile", "vcc",
                                "-o", path("results"), "--quiet"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("results/agg_results.csv")))

        // The same cells with fewer genes: the model must refuse, naming the data file, and write nothing.
        let fewer = path("fewer.h5ad")
        XCTAssertEqual(try perturb(["prep", prepped, "--hvg", "30", "--min-cells-per-condition", "0",
                                    "--min-cells-per-combination", "0", "-o", fewer, "--quiet"]).status, 0)
        try assertFails(["predict", model, "--data", fewer, "--split", split, "-o", path("bad.h5ad")],
                        mentioning: [fewer, "genes differ", "linear-pca"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad.h5ad")))
        try assertFails(["fit", prepped, "--split", split, "--model", "linaer", "-o", path("m2")], mentioning: ["linaer", "linear-pca"])
        try assertFails(["fit", prepped, "--split", split, "--model", "ridge", "--param", "lambda=-1", "-o", path("m3")],
                        mentioning: ["lambda=-1"])
    }
}
