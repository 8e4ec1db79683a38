import Foundation
import PerturbKit
import XCTest

/// `perturb embed-eval` from the command line.
extension CLITests {
    func testEmbedEvalWritesTableScoresAndManifest() throws {
        let dir = try directory()
        let sim = CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/prep/sim_counts.h5ad").path
        let pairs = dir.appendingPathComponent("pairs.tsv")
        try "G0105\tG0143\nG0127\tG0266\n".write(to: pairs, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("embed")
        let result = try perturb([
            "embed-eval", sim, "--batch-col", "batch", "--n-comps", "10", "--null-draws", "100", "--decoder-genes", "50",
            "--definitions", "all", "--relations", pairs.path, "--quiet", "-o", out.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "", "--quiet prints nothing on stderr")
        XCTAssertTrue(result.stdout.contains("recall_pairs"), result.stdout)
        for file in ["table.csv", "scores.csv", "manifest.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let scores = try String(contentsOf: out.appendingPathComponent("scores.csv"), encoding: .utf8)
        XCTAssertTrue(scores.contains("linear_probe,top1,pca,tvn,"), scores)
        XCTAssertTrue(scores.contains("linear_probe,lobo_top1,pca,tvn,"), "--definitions all adds ours")
        XCTAssertTrue(scores.contains("knn,top5,pca-counts,raw,"), "the PCA of raw counts beside the log-normalized one")
    }

    func testEmbedEvalInputErrors() throws {
        let dir = try directory()
        let sim = CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/prep/sim_counts.h5ad").path
        try assertFails(["embed-eval", sim, "--embedding", "X_scvi", "-o", dir.path], mentioning: ["sim_counts.h5ad", "X_scvi"])
        try assertFails(
            ["embed-eval", sim, "--relations", "/nonexistent/corum.txt", "-o", dir.path], mentioning: ["/nonexistent/corum.txt"])
        try assertFails(["embed-eval", sim, "--n-comps", "0", "-o", dir.path], mentioning: ["--n-comps"])
        try assertFails(["embed-eval", sim, "--definitions", "ours", "-o", dir.path], mentioning: ["--definitions", "ours"])
        try assertFails(["embed-eval", sim, "--knn-k", "0", "-o", dir.path], mentioning: ["--knn-k"])
        try assertFails(["embed-eval", sim, "--seeds", "0", "-o", dir.path], mentioning: ["--seeds"])
    }
}
