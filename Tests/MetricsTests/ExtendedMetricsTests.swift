import LinearAlgebra
import PerturbData
import Statistics
import XCTest

@testable import Metrics

/// Our metrics beyond cell-eval and PerturBench (calibration, noise ceiling, the VCC paper's MAE, R², gene-space
/// energy) on examples worked by hand.
final class ExtendedMetricsTests: XCTestCase {
    /// Genes g0 g1; control cells (1, 0) (1, 0) (1, 2) (1, 2); perturbation A real (3, 0) (1, 0) (3, 0) (1, 0).
    func real() -> PerturbationDataset {
        dataset([[1, 0], [1, 0], [1, 2], [1, 2], [3, 0], [1, 0], [3, 0], [1, 0]])
    }

    func dataset(_ rows: [[Float]]) -> PerturbationDataset {
        let labels = ["ctrl", "ctrl", "ctrl", "ctrl", "A", "A", "A", "A"]
        return PerturbationDataset(
            expression: CSRMatrix(dense: Matrix<Float>(rowArrays: rows)), genes: ["g0", "g1"],
            cellIDs: labels.indices.map { "c\($0)" }, perturbations: labels, controlLabel: "ctrl", scale: .log1p)
    }

    func testCalibrationOfAShiftedPrediction() throws {
        // Predicted A: every cell (2, 0) — the right mean (2, 0), no spread, no zeros in g0 (real: none either).
        let pred = dataset([[1, 0], [1, 0], [1, 2], [1, 2], [2, 0], [2, 0], [2, 0], [2, 0]])
        let pair = try EvaluationPair(real: real(), pred: pred, needs: [.moments, .cells])
        // Zero fractions: g0 0 vs 0, g1 1 vs 1 → error 0. Variance ratio: real g0 variance 4/3, predicted 0 → 0;
        // g1 has no real variance and is left out → median 0.
        XCTAssertEqual(try CalibrationMetrics.zeroFractionError(pair)["A"], 0)
        XCTAssertEqual(try CalibrationMetrics.varianceRatio(pair)["A"], 0)
        // Gene-space energy: predicted (2,0) ×4 vs real (3,0),(1,0) ×2 each: cross distances all 1; within real,
        // 8 of 16 pairs at 2 and the diagonal-like equal pairs at the 1e-4 floor; within predicted all 1e-4.
        // ½(2·1 − (8·2 + 8·1e-4)/16 − 1e-4) = ½(2 − 1 − 0.5e-4 − 1e-4) = 0.5 − 0.75e-4.
        XCTAssertEqual(try CalibrationMetrics.energyGenes(pair)["A"]!, 0.5 - 0.75e-4, accuracy: 1e-12)
        let summary = try CalibrationSummary(pair, de: nil)
        XCTAssertEqual(summary.varianceRatio, 0)
        XCTAssertTrue(summary.lines(unit: nil).contains { $0.hasPrefix("warning: predicted cells are less spread") })
    }

    func testR2OfTheDelta() throws {
        // Real delta of A: (2, 0) − (1, 1) = (1, −1); predicted (2, 0) cells → delta (1, −1) → R² 1. A prediction
        // of (1, 0) cells → delta (0, −1): residual 1, total (1 − 0)² + (−1 − 0)² = 2 → R² 0.5.
        let perfect = try EvaluationPair(
            real: real(), pred: dataset([[1, 0], [1, 0], [1, 2], [1, 2], [2, 0], [2, 0], [2, 0], [2, 0]]))
        XCTAssertEqual(CalibrationMetrics.r2Delta(perfect)["A"]!, 1, accuracy: 1e-12)
        let half = try EvaluationPair(
            real: real(), pred: dataset([[1, 0], [1, 0], [1, 2], [1, 2], [1, 0], [1, 0], [1, 0], [1, 0]]))
        XCTAssertEqual(CalibrationMetrics.r2Delta(half)["A"]!, 0.5, accuracy: 1e-12)
    }

    func testMAEOnTheGenesWithTheLargestCountFoldChange() throws {
        // Normalized counts expm1: control g0 e−1 (all), g1 (0,0,e²−1,e²−1) → mean (e²−1)/2; A g0 (e³−1, e−1) → mean
        // (e³+e−2)/2, g1 0. |log2((m+1)/(c+1))|: g0 log2(((e³+e)/2)/e) = log2((e²+1)/2) = 2.06; g1
        // |log2(1/((e²+1)/2))| = 2.06 as well — equal, so with a top of 1 the tie goes to g0.
        let pred = dataset([[1, 0], [1, 0], [1, 2], [1, 2], [1.5, 1], [1.5, 1], [1.5, 1], [1.5, 1]])
        let pair = try EvaluationPair(real: real(), pred: pred, needs: [.countMeans])
        // Over both genes (fewer than 2,000): (|1.5 − 2| + |1 − 0|) / 2 = 0.75.
        XCTAssertEqual(try VCCMetrics.maeTop(pair)["A"]!, 0.75, accuracy: 1e-6)
    }

    func testNoiseCeilingIsTheCorrectedSplitHalfCorrelation() throws {
        // Genes g0 g1 g2; controls (1,1,1) ×4 (every control half has mean (1,1,1)). A: cells (3,1,0) ×2 and
        // (2,1,0) ×2. Halves {(3,1,0),(2,1,0)} twice give identical deltas (1.5, 0, −1) → r = 1 → ceiling 1;
        // halves {(3,1,0) ×2 | (2,1,0) ×2} give (2,0,−1) vs (1,0,−1) → r = 0.981981 → ρ = 2r/(1+r) = 0.990909 →
        // ceiling √ρ = 0.995444. The split is seeded by the label, so it is one of these, and the same each time.
        let labels = ["ctrl", "ctrl", "ctrl", "ctrl", "A", "A", "A", "A", "B", "B"]
        let rows: [[Float]] = [
            [1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1], [3, 1, 0], [3, 1, 0], [2, 1, 0], [2, 1, 0], [2, 2, 2], [0, 0, 0],
        ]
        let data = PerturbationDataset(
            expression: CSRMatrix(dense: Matrix<Float>(rowArrays: rows)), genes: ["g0", "g1", "g2"],
            cellIDs: labels.indices.map { "c\($0)" }, perturbations: labels, controlLabel: "ctrl", scale: .log1p)
        let pair = try EvaluationPair(real: data, pred: data, needs: [.splitHalf])
        let r = try XCTUnwrap(pair.real.splitHalfCorrelation?["A"])
        let mixed = pearson([2, 0, -1], [1, 0, -1])
        XCTAssertEqual(mixed, 0.981981, accuracy: 1e-6)
        XCTAssertTrue(abs(r - 1) < 1e-12 || abs(r - mixed) < 1e-12, "r = \(r)")
        XCTAssertEqual(try NoiseCeiling.ceiling(pair)["A"]!, (2 * r / (1 + r)).squareRoot(), accuracy: 1e-12)
        XCTAssertTrue(try NoiseCeiling.ceiling(pair)["B"]!.isNaN, "fewer than 4 cells: no ceiling")
        let again = try EvaluationPair(real: data, pred: data, needs: [.splitHalf])
        XCTAssertEqual(again.real.splitHalfCorrelation?["A"], r, "the same data, the same split")
    }

    func testProfilesListRegisteredMetrics() throws {
        for name in ["vcc2025", "calibration", "extended"] {
            for metric in try MetricRegistry.profile(name).metrics { XCTAssertNotNil(MetricRegistry.metric(metric), metric) }
        }
    }
}
