import LinearAlgebra
@testable import Metrics
import PerturbData
import Support
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
        return try EvaluationPair(real: real, pred: pred, needs: [.degRanking, .pca])
    }

    func testFitMetrics() throws {
        let p = try pair()
        // rmse P2: differences (0, −2, 1) → √(5/3).
        let rmse = PerturBenchMetrics.fit(p, .rmse)
        XCTAssertEqual(rmse["P1"], 0)
        XCTAssertEqual(rmse["P2"]!, (5.0 / 3.0).squareRoot(), accuracy: 1e-12)
        // cosine of log2 fold changes (pseudocount 0.1) against the real control (1,1,1): P1 (log2(2.1/1.1), 0, 0)
        // on both sides = 1; P2 real (0, log2(3.1/1.1), 0) vs predicted (0, 0, log2(2.1/1.1)) = 0.
        let cosine = PerturBenchMetrics.fit(p, .cosine)
        XCTAssertEqual(cosine["P1"]!, 1, accuracy: 1e-12)
        XCTAssertEqual(cosine["P2"]!, 0, accuracy: 1e-12)
    }

    func testRankMetricsCountTiesAsHalfTheExpectedRandomTieBreak() throws {
        let p = try pair()
        // rmse rank, truth P1: own distance 0, P2's prediction at √(2/3) → 0 of 1 closer → 0.
        // truth P2: own distance √(5/3); P1's prediction (2,1,1) is also √(5/3) from (1,3,1): a tie, ahead of
        // the own prediction half the time → 0.5.
        let rmse = PerturBenchMetrics.rank(p, .rmse)
        XCTAssertEqual(rmse["P1"], 0)
        XCTAssertEqual(rmse["P2"], 0.5)
        // cosine rank: truth P1 own 1 − 1 = 0, other 1 − 0 = 1 → 0; truth P2 own 1 − 0 = 1, other 1 → tie → 0.5.
        let cosine = PerturBenchMetrics.rank(p, .cosine)
        XCTAssertEqual(cosine["P1"], 0)
        XCTAssertEqual(cosine["P2"], 0.5)
    }

    func testDEGRecallSetsInfiniteStatisticsToZero() throws {
        let p = try pair()
        // Zero variance everywhere: t = ±inf where means differ, NaN where equal — all set to 0, so every gene
        // ties and the top-1 gene is g0 on both sides: recall 1 for both.
        let recall = try PerturBenchMetrics.degRecall(p, top: 1)
        XCTAssertEqual(recall["P1"], 1)
        XCTAssertEqual(recall["P2"], 1)
    }

    func testTStatisticOverestimatesTheReferenceVarianceAndRanksByMagnitude() {
        // Gene g0: group 1, 2 (mean 1.5, variance 0.5) against controls 0, 0, 1, 1 (mean 0.5, variance 1/3);
        // t-test_overestim_var divides both variances by the group's size 2: 1 / √(0.5/2 + (1/3)/2) = 1.549.
        // Gene g1: group 0, 0 against controls 2, 2, 3, 3 (mean 2.5, variance 1/3): −2.5 / √(0 + (1/3)/2) = −6.124.
        // By |t| g1 comes first (a signed ranking would put g0 first).
        let labels = ["ctrl", "ctrl", "ctrl", "ctrl", "A", "A"]
        let data = PerturbationDataset(
            expression: CSRMatrix(dense: Matrix<Float>(rowArrays: [[0, 2], [0, 2], [1, 3], [1, 3], [1, 0], [2, 0]])),
            genes: ["g0", "g1"], cellIDs: labels.indices.map { "c\($0)" }, perturbations: labels, controlLabel: "ctrl")
        let reference = GroupMoments(data.expression, cells: data.controlCells)
        XCTAssertEqual(reference.variance[1], 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(EvaluationSide.tRanking(data, reference: reference)["A"], [1, 0])
    }

    func testMMDInPrincipalComponentSpace() throws {
        // The real cells all lie in the plane g2 = 1, so the principal axes span g0 and g1 only.
        // P1: prediction = truth → every distance floored at √1e-8 = 1e-4 → ½(2·1e-4 − 1e-4 − 1e-4) = 0.
        // P2: real (1,3,1) ×2 vs predicted (1,1,2) ×2 differ by (0,−2,1), of which the axes keep (0,−2): geomloss's
        // energy = ½(2·2 − 1e-4 − 1e-4) = 2 − 1e-4 (in gene space it would be √5 − 1e-4).
        let mmd = try PerturBenchMetrics.mmdPCA(try pair())
        XCTAssertEqual(mmd["P1"]!, 0, accuracy: 1e-9)
        XCTAssertEqual(mmd["P2"]!, 2 - 1e-4, accuracy: 1e-9)
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

/// The `perturbench` profile against PerturBench's own evaluation code (altoslabs/perturbench c84038b) on the
/// golden fixture in Tests/Fixtures/perturbench (README there): two real/pred pairs, one with every rank comparison
/// tied.
final class PerturBenchGoldenTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/perturbench")

    /// Our column → PerturBench's column and the tolerance (README: their own cross-check reached rmse 5e-8,
    /// cosine 5e-7, top-k exact, mmd 6e-5 with geomloss in float32).
    static let columns: [(ours: String, theirs: String, tolerance: Double)] = [
        ("rmse", "rmse_average", 1e-6), ("cosine_logfc", "cosine_logfc", 1e-6),
        ("rmse_rank", "rmse_rank_expected", 1e-12), ("cosine_logfc_rank", "cosine_logfc_rank_expected", 1e-12),
        ("deg_recall", "top_k_recall_scores", 1e-12), ("mmd_pca", "mmd_pca", 1e-6),
    ]

    func check(_ name: String) throws -> [String: Double] {
        let directory = Self.fixtures.appendingPathComponent(name)
        let config = EvaluationConfig(
            realPath: directory.appendingPathComponent("real.h5ad").path,
            predPath: directory.appendingPathComponent("pred.h5ad").path, outputDirectory: "",
            columns: DatasetColumns(perturbation: "target_gene", control: "non-targeting"), profile: "perturbench",
            threads: 2)
        let table = try EvaluationRun.compute(config)[0].results
        let reference = try CSVTable(contentsOf: directory.appendingPathComponent("perturbench_reference.csv").path)
        var worst: [String: Double] = [:]
        for row in reference.rows {
            let perturbation = row[0]
            guard let r = table.perturbations.firstIndex(of: perturbation) else {
                XCTFail("\(name): no row for \(perturbation)"); continue
            }
            for (ours, theirs, tolerance) in Self.columns {
                let c = table.columns.firstIndex(of: ours)!
                let expected = Double(row[reference.header.firstIndex(of: theirs)!])!
                let got = try XCTUnwrap(table.values[c][r])
                worst[ours] = max(worst[ours] ?? 0, abs(got - expected))
                XCTAssertEqual(got, expected, accuracy: tolerance, "\(name) \(perturbation) \(ours) vs PerturBench \(theirs)")
            }
        }
        return worst
    }

    func testNoTies() throws {
        let worst = try check("no_ties")
        print("perturbench no_ties largest differences: \(worst.sorted { $0.key < $1.key })")
    }

    func testAllTiedGivesTheExpectedRankOverTheRandomTieBreak() throws {
        let worst = try check("all_tied")
        print("perturbench all_tied largest differences: \(worst.sorted { $0.key < $1.key })")
    }
}
