import Foundation
import PerturbKit
import XCTest

/// `perturb reverse` and `perturb screen` from the command line.
extension CLITests {
    func testReverseWritesTablesAndScreenRanksCandidates() throws {
        let dir = try directory()
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let sim = path("sim.h5ad"), split = path("split.json"), out = path("reverse")
        XCTAssertEqual(
            try perturb([
                "simulate", "--perturbations", "12", "--cells-per", "40", "--genes", "150", "--batches", "2",
                "--log1p", "--seed", "4", "--quiet", "-o", sim,
            ]).status, 0)
        XCTAssertEqual(try perturb(["split", sim, "--strategy", "batch", "--batch-col", "batch", "-o", split, "--quiet"]).status, 0)
        let reverse = try perturb([
            "reverse", sim, "--split", split, "--model", "pca-knn:k=3",
            "--model", "forward-retrieval:forward=additive", "-o", out, "--quiet",
        ])
        XCTAssertEqual(reverse.status, 0, reverse.stderr)
        XCTAssertEqual(reverse.stderr, "", "--quiet prints nothing")
        XCTAssertTrue(reverse.stdout.contains("| pca-knn:k=3 | all | 12 |"), reverse.stdout)
        for file in ["metrics.csv", "metrics.md", "per_condition.csv", "rankings.csv", "selection.csv", "manifest.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + file), file)
        }
        let metrics = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metrics.first, "model,tier,conditions,metric,k,value,random")
        // 2 models × 2 tiers (all, seen single) × (MRR + 4 metrics × 5 cutoffs).
        XCTAssertEqual(metrics.count, 1 + 2 * 2 * 21)
        try assertFails(["reverse", sim, "--split", split, "--model", "pca-knm", "-o", path("bad")], mentioning: ["pca-knm", "pca-knn"])
        try assertFails(
            ["reverse", sim, "--split", split, "--model", "xgboost:max_depth=0", "-o", path("bad")],
            mentioning: ["max_depth=0"])

        // Screen: from the controls toward the real cells of one perturbation, with a model that saw it.
        let model = path("model")
        XCTAssertEqual(try perturb(["fit", sim, "--split", split, "--model", "additive", "-o", model, "--quiet"]).status, 0)
        let ranked = path("screen.csv")
        let perConditionRows = try String(contentsOfFile: out + "/per_condition.csv", encoding: .utf8).split(separator: "\n")
        let label = String(perConditionRows[1].split(separator: ",")[1])
        let screen = try perturb([
            "screen", model, "--from", sim, "--from-group", "non-targeting", "--to", sim,
            "--to-group", label, "-o", ranked, "--quiet",
        ])
        XCTAssertEqual(screen.status, 0, screen.stderr)
        let rows = try String(contentsOfFile: ranked, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.first, "rank,perturbation,distance,improvement,predicted_delta_norm,top_genes")
        XCTAssertEqual(rows.count, 1 + 12)
        XCTAssertTrue(screen.stdout.contains("unperturbed source → target distance"), screen.stdout)
        try assertFails(
            ["screen", model, "--from", sim, "--from-group", "nope", "--to", sim, "-o", path("s2.csv")],
            mentioning: [sim, "target_gene", "nope"])
    }
}
