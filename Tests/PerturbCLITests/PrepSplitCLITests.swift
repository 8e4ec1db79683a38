import Foundation
import PerturbKit
import XCTest

/// `perturb prep` and `perturb split` from the command line: prep → split → check → prep fit on train, and
/// leaky or unusable inputs failing with a message and a non-zero exit.
extension CLITests {
    var simCounts: String { CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/prep/sim_counts.h5ad").path }

    func testPrepSplitCheckAndPrepOnTrainingCells() throws {
        let dir = try directory()
        let prepped = dir.appendingPathComponent("prepped.h5ad").path
        let prep = try perturb([
            "prep", simCounts, "--min-cells-per-condition", "0", "--min-cells-per-combination", "0",
            "--drop-labels", "nothing-like-this", "--quiet", "-o", prepped,
        ])
        XCTAssertEqual(prep.status, 0, prep.stderr)
        XCTAssertEqual(prep.stderr, "", "--quiet prints nothing")
        for suffix in ["", ".prep.json", ".manifest.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: prepped + suffix), "wrote \(prepped + suffix)")
        }

        let split = dir.appendingPathComponent("split.json").path
        let made = try perturb(["split", prepped, "--strategy", "combo", "--unseen-singles", "0.25", "--seed", "3", "-o", split])
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertTrue(made.stderr.contains("seen2"), made.stderr)
        let again = dir.appendingPathComponent("again.json").path
        XCTAssertEqual(
            try perturb(["split", prepped, "--strategy", "combo", "--unseen-singles", "0.25", "--seed", "3", "-o", again, "--quiet"])
                .status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: split)), try Data(contentsOf: URL(fileURLWithPath: again)))
        let check = try perturb(["split", "--check", split, prepped])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stderr.contains("all checks passed"), check.stderr)

        let final = dir.appendingPathComponent("final.h5ad").path
        let fit = try perturb([
            "prep", prepped, "--normalize", "--log1p", "--hvg", "40", "--split", split,
            "--min-cells-per-condition", "0", "--min-cells-per-combination", "0", "-o", final,
        ])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        XCTAssertTrue(fit.stderr.contains("fit on the split's training cells"), fit.stderr)
        let result = try AnnData.read(path: final)
        XCTAssertEqual(result.geneCount, 40)
        let manifest = try String(contentsOfFile: final + ".manifest.json", encoding: .utf8)
        XCTAssertTrue(manifest.contains(try Split.read(from: split).contentHash!), "manifest records the split hash")

        let parts = dir.appendingPathComponent("parts")
        XCTAssertEqual(
            try perturb([
                "split", prepped, "--strategy", "unseen-perturbation", "-o", split, "--quiet",
                "--write-h5ad", parts.path,
            ]).status, 0)
        let total = try ["train", "val", "test"].map { try AnnData.read(path: parts.appendingPathComponent("\($0).h5ad").path).cellCount }
        XCTAssertEqual(total.reduce(0, +), result.cellCount)
    }

    func testLeakySplitFailsCheck() throws {
        let dir = try directory()
        let split = dir.appendingPathComponent("split.json").path
        XCTAssertEqual(try perturb(["split", simCounts, "--strategy", "unseen-perturbation", "-o", split, "--quiet"]).status, 0)
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: split))) as! [String: Any]
        var parts = json["parts"] as! [String: [String: [String]]]
        parts["train"]!["conditions"]!.append(parts["test"]!["conditions"]![0])
        json["parts"] = parts
        json.removeValue(forKey: "content_hash")
        let leaky = dir.appendingPathComponent("leaky.json").path
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: leaky))
        try assertFails(
            ["split", "--check", leaky, simCounts], mentioning: [leaky, "in both train and test", "test perturbation(s) also in train"])
    }

    func testPrepAndSplitInputErrors() throws {
        let dir = try directory()
        let out = dir.appendingPathComponent("out.h5ad").path
        try assertFails(["prep", simCounts, "--hvg-flavor", "seurat", "--hvg", "10", "-o", out], mentioning: ["--normalize --log1p"])
        try assertFails(["prep", simCounts, "--hvg-flavor", "pearson", "-o", out], mentioning: ["--hvg-flavor"])
        try assertFails(["prep", simCounts, "--pert-col", "guide", "-o", out], mentioning: ["sim_counts.h5ad", "guide"])
        try assertFails(["split", simCounts, "--strategy", "batch", "-o", out], mentioning: ["--batch-col"])
        try assertFails(
            ["split", simCounts, "--strategy", "covariate-transfer", "--covariate-col", "batch", "--holdout", "b9", "-o", out],
            mentioning: ["b9", "available"])
        try assertFails(["prep", simCounts, "--guide-counts", simCounts, "-o", out], mentioning: ["--guide-threshold"])
        try assertFails(["prep", simCounts, "--guide-counts", simCounts, "--guide-threshold", "0", "-o", out], mentioning: ["positive"])
        // A guide file whose var has no such column is named with the column.
        try assertFails(
            ["prep", simCounts, "--guide-counts", simCounts, "--guide-threshold", "2", "--guide-target-col", "target", "-o", out],
            mentioning: ["sim_counts.h5ad", "var/target"])
        try assertFails(["inspect", simCounts, "--combo-sep", ";;"], mentioning: ["--combo-sep"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
    }
}
