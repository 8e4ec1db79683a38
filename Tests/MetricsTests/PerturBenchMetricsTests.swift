import LinearAlgebra
@testable import Metrics
import PerturbData
import XCTest

/// PerturBench metrics on a worked example (genes g0 g1 g2; two cells per group):
///   real: control (1,1,1), P1 (2,1,1), P2 (1,3,1);   pred: control (1,1,1), P1 (2,1,1), P2 (1,1,2).
final class PerturBenchMetricsTests: XCTestCase {
    private func dataset(_ rows: [[Float]]) -> PerturbationDataset {
        let labels = ["ctrl", "ctrl", "P1", "P1", "P2", "P2"]
        return PerturbationDataset(
            expression: CSRMatrix(dense: Matrix<Float>(rowArrays: rows)), genes: ["g0", "g1", "g2"],
            cellIDs: labels.indices.map { "c\($0)" }, perturbations: labels, controlLabel: "ctrl")
    }

    private func pair() throws -> EvaluationPair {
        let real = dataset([[1, 1, 1], [1, 1, 1], [2, 1, 1], [2, 1, 1], [1, 3, 1], [1, 3, 1]])
        let pred = dataset([[1, 1, 1], [1, 1, 1], [2, 1, 1], [2, 1, 1], [1, 1, 2], [1, 1, 2]])
        return try EvaluationPair(real: real, pred: pred, needs: [.welch, .pca])
    }

    func testFitMetrics() throws {
        let p = try pair()
        // rmse P2: differences (0, −2, 1) → √(5/3).
        let rmse = PerturBenchMetrics.fit(p, .rmse)
        XCTAssertEqual(rmse["P1"], 0)
        XCTAssertEqual(rmse["P2"]!, (5.0 / 3.0).squareRoot(), accuracy: 1e-12)
        // cosine of deltas: P1 (1,0,0)·(1,0,0) = 1; P2 (0,0,1)·(0,2,0) = 0.
        let cosine = PerturBenchMetrics.fit(p, .cosine)
        XCTAssertEqual(cosine["P1"]!, 1, accuracy: 1e-12)
        XCTAssertEqual(cosine["P2"]!, 0, accuracy: 1e-12)
    }

    func testRankMetricsCountTiesAgainstThePrediction() throws {
        let p = try pair()
        // rmse rank, truth P1: own distance 0, P2's prediction at √(2/3) → 0 of 1 closer → 0.
        // truth P2: own distance √(5/3); P1's prediction (2,1,1) is also √(5/3) from (1,3,1) → tie counts → 1.
        let rmse = PerturBenchMetrics.rank(p, .rmse)
        XCTAssertEqual(rmse["P1"], 0)
        XCTAssertEqual(rmse["P2"], 1)
        // cosine rank: truth P1 own 1 − 1 = 0, other 1 − 0 = 1 → 0; truth P2 own 1 − 0 = 1, other 1 → tie → 1.
        let cosine = PerturBenchMetrics.rank(p, .cosine)
        XCTAssertEqual(cosine["P1"], 0)
        XCTAssertEqual(cosine["P2"], 1)
    }

    func testDEGRecall() throws {
        let p = try pair()
        // Zero variance everywhere: t = ±inf where means differ, 0 (NaN) where equal. Top-1 gene real/pred:
        // P1 g0/g0 → 1; P2 g1/g2 → 0.
        let recall = try PerturBenchMetrics.degRecall(p, top: 1)
        XCTAssertEqual(recall["P1"], 1)
        XCTAssertEqual(recall["P2"], 0)
    }

    func testMMDInPrincipalComponentSpace() throws {
        // The real cells all lie in the plane g2 = 1, so the principal axes span g0 and g1 only.
        // P1: prediction = truth → 0. P2: real (1,3,1) ×2 vs predicted (1,1,2) ×2 differ by (0,−2,1), of which the
        // axes keep (0,−2): energy distance 2·2 − 0 − 0 = 4 (in gene space it would be 2√5).
        let mmd = try PerturBenchMetrics.mmdPCA(try pair())
        XCTAssertEqual(mmd["P1"]!, 0, accuracy: 1e-9)
        XCTAssertEqual(mmd["P2"]!, 4, accuracy: 1e-9)
    }

    func testPerturBenchProfileRunsEveryMetric() throws {
        let table = try Evaluator.evaluate(
            metrics: try MetricRegistry.profile("perturbench").metrics,
            pair: try pair(), de: nil)
        XCTAssertEqual(table.perturbations, ["P1", "P2"])
        XCTAssertEqual(
            table.columns,
            [
                "rmse", "cosine_logfc", "pearson_delta", "rmse_rank", "cosine_logfc_rank",
                "pearson_delta_rank", "mmd_pca", "deg_recall",
            ])
    }
}
