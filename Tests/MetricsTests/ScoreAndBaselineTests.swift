import AnnData
import Foundation
import Metrics
import PerturbData
import Support
import XCTest

/// `perturb score` and `perturb baseline` against cell-eval 0.8.2's `score` and `baseline`.
final class ScoreAndBaselineTests: XCTestCase {
    private let basic = evalFixtures.appendingPathComponent("basic")

    func testScoreMatchesCellEval() throws {
        let score = try BaselineScore.compute(
            userPath: basic.appendingPathComponent("cell-eval/agg_results.csv").path,
            basePath: basic.appendingPathComponent("cell-eval-baseline/agg_results.csv").path)
        let reference = try CSVTable(contentsOf: basic.appendingPathComponent("score.csv").path)
        XCTAssertEqual(reference.header, ["metric", "from_baseline"])
        let ours = score.scores + [("avg_score", score.average)]
        XCTAssertEqual(ours.map(\.0), reference.rows.map { $0[0] })
        for (mine, theirs) in zip(ours, reference.rows) {
            assertClose(mine.1, number(theirs[1]), absolute: 1e-12, "score \(mine.0)")
        }
    }

    func testScoreArithmetic() throws {
        // mae 0.2 vs baseline 0.4 → 1 − 0.5 = 0.5; overlap 0.25 vs 0.5 → (0.25 − 0.5)/(1 − 0.5) < 0 → 0;
        // pearson_delta 0.8 vs 0.6 → 0.2/0.4 = 0.5; de_nsig_counts_real has no direction → left out. Mean 1/3.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("score-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let header = "statistic,mae,overlap_at_N,pearson_delta,de_nsig_counts_real\n"
        try (header + "mean,0.2,0.25,0.8,10\n").write(to: dir.appendingPathComponent("u.csv"), atomically: true, encoding: .utf8)
        try (header + "mean,0.4,0.5,0.6,12\n").write(to: dir.appendingPathComponent("b.csv"), atomically: true, encoding: .utf8)
        let s = try BaselineScore.compute(
            userPath: dir.appendingPathComponent("u.csv").path,
            basePath: dir.appendingPathComponent("b.csv").path)
        XCTAssertEqual(s.scores.map(\.0), ["mae", "overlap_at_N", "pearson_delta"])
        XCTAssertEqual(s.scores[0].1, 0.5, accuracy: 1e-15)
        XCTAssertEqual(s.scores[1].1, 0)
        XCTAssertEqual(s.scores[2].1, 0.5, accuracy: 1e-12)
        XCTAssertEqual(s.average, 1.0 / 3.0, accuracy: 1e-12)
    }

    func testBaselineMatchesCellEval() throws {
        let train = try PerturbationDataset.load(path: basic.appendingPathComponent("real.h5ad").path, columns: DatasetColumns())
        let ours = try PerturbationDataset(
            try CellMeanBaseline.build(train, perturbationColumn: "target_gene"),
            columns: DatasetColumns(), path: "ours")
        let theirs = try PerturbationDataset.load(
            path: basic.appendingPathComponent("baseline.h5ad").path,
            columns: DatasetColumns())
        XCTAssertEqual(ours.groups.perturbations, theirs.groups.perturbations)
        for label in theirs.groups.perturbations {
            XCTAssertEqual(ours.groups.cellsByPerturbation[label]!.count, theirs.groups.cellsByPerturbation[label]!.count)
        }
        let a = Pseudobulk(ours), b = Pseudobulk(theirs)
        for label in theirs.groups.perturbations {
            for (x, y) in zip(a.mean(label), b.mean(label)) { XCTAssertEqual(x, y, accuracy: 1e-6, label) }
        }
    }

    /// Our baseline, evaluated by us, scores as cell-eval's baseline evaluated by cell-eval.
    func testBaselineEvaluationMatchesCellEval() throws {
        let train = try PerturbationDataset.load(path: basic.appendingPathComponent("real.h5ad").path, columns: DatasetColumns())
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try CellMeanBaseline.build(train, perturbationColumn: "target_gene").write(to: dir + "/baseline.h5ad")
        let config = EvaluationConfig(
            realPath: basic.appendingPathComponent("real.h5ad").path,
            predPath: dir + "/baseline.h5ad", outputDirectory: dir + "/out", threads: 2)
        try EvaluationRun.run(config, recorder: RunRecorder(command: ["test"]))
        let reference = basic.appendingPathComponent("cell-eval-baseline").path
        for table in ["results.csv", "agg_results.csv"] {
            assertTablesMatch(
                ours: try CSVTable(contentsOf: "\(dir)/out/\(table)"),
                reference: try CSVTable(contentsOf: "\(reference)/\(table)"))
        }
    }
}
