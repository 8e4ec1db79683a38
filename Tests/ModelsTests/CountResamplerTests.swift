import LinearAlgebra
import PerturbData
import Statistics
import Support
import XCTest

@testable import Models

final class CountResamplerTests: XCTestCase {
    /// 200 control cells × 6 genes of negative-binomial counts: gene 5 is zero in every cell.
    func controlCounts(cells: Int = 200, seed: UInt64 = 11) -> Matrix<Float> {
        var rng = SeededRandom(seed: seed)
        let means: [Double] = [0.3, 1, 4, 20, 80, 0]
        var m = Matrix<Float>(rows: cells, columns: means.count)
        for r in 0..<cells {
            let depth = rng.uniform(0.5, 1.5)
            for (g, mu) in means.enumerated() { m[r, g] = Float(rng.negativeBinomial(mean: mu * depth, theta: 3)) }
        }
        return m
    }

    func logDataset(_ counts: Matrix<Float>) -> PerturbationDataset {
        let x = Normalization.logNormalize(CSRMatrix(dense: counts))
        return PerturbationDataset(
            expression: x, genes: (0..<counts.columns).map { "g\($0)" }, cellIDs: (0..<counts.rows).map { "c\($0)" },
            perturbations: Array(repeating: "ctrl", count: counts.rows), controlLabel: "ctrl", scale: .log1p)
    }

    func testCountsAreRecoveredFromLog1pValues() throws {
        let counts = controlCounts()
        let data = logDataset(counts)
        let recovered = try RecoveredCounts(data, rows: Array(0..<counts.rows), path: "mem")
        let back = recovered.counts.toDense(), x = data.expression.toDense()
        let totals = CSRMatrix(dense: counts).rowSums()
        let target = Normalization.medianLibrarySize(CSRMatrix(dense: counts))
        var exact = 0
        for r in 0..<counts.rows where totals[r] > 0 {
            // Values are reproduced in every cell; counts exactly unless a cell's counts share a factor.
            for g in 0..<counts.columns {
                XCTAssertEqual(log1p(Double(back[r, g]) * recovered.sizeFactors[r]), Double(x[r, g]), accuracy: 1e-5)
            }
            let row = (0..<counts.columns).map { Int(counts[r, $0]) }
            let divisor = (1...row.max()!).last { d in row.allSatisfy { $0 % d == 0 } }!
            if divisor == 1 {
                exact += 1
                XCTAssertEqual((0..<counts.columns).map { back[r, $0] }, (0..<counts.columns).map { counts[r, $0] })
                XCTAssertEqual(recovered.sizeFactors[r], target / totals[r], accuracy: 1e-4 * target / totals[r])
            }
        }
        XCTAssertGreaterThan(exact, counts.rows * 9 / 10)
        // Count data gives the same factors without recovery.
        let raw = PerturbationDataset(
            expression: CSRMatrix(dense: counts), genes: data.genes, cellIDs: data.cellIDs, perturbations: data.perturbations,
            controlLabel: "ctrl", scale: .counts)
        let direct = try RecoveredCounts(raw, rows: [3, 1], path: "mem")
        XCTAssertEqual(direct.counts.toDense(), CSRMatrix(dense: counts).selectingRows([3, 1]).toDense())
        XCTAssertEqual(direct.sizeFactors[0], recovered.sizeFactors[3], accuracy: 1e-4 * direct.sizeFactors[0])
    }

    func testValuesThatAreNotNormalizedCountsAreRefusedNamingTheCell() {
        let data = PerturbationDataset(
            // z-scored-like values: no unit makes expm1 of all six integers.
            expression: CSRMatrix(dense: Matrix(rowArrays: [[Float(0.3), 0.71, 1.13, 2.9, 0.05, 1.77], [0.69314718, 0, 0, 0, 0, 0]])),
            genes: ["a", "b", "c", "d", "e", "f"], cellIDs: ["x", "y"], perturbations: ["ctrl", "ctrl"], controlLabel: "ctrl",
            scale: .log1p)
        XCTAssertThrowsError(try RecoveredCounts(data, rows: [0, 1], path: "f.h5ad")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("f.h5ad") && text.contains("'x'") && text.contains("--cells shift"), text)
        }
    }

    func testGeneratedMeansMatchTheTargetAndCellsVary() throws {
        let counts = controlCounts()
        let data = logDataset(counts)
        let resampler = CountResampler(recovered: try RecoveredCounts(data, rows: Array(0..<counts.rows), path: "mem"), seed: 5)
        let delta = [0.4, -0.3, 0.8, -1.5, 0.05, 0.02]
        let sources = Array(0..<counts.rows)
        let values = resampler.generate(sources: sources, delta: delta, key: 1, threads: 2)
        let n = sources.count, genes = delta.count
        let x = data.expression.toDense()
        for g in 0..<genes {
            let base = (0..<n).reduce(0.0) { $0 + Double(x[$1, g]) } / Double(n)
            let mean = (0..<n).reduce(0.0) { $0 + Double(values[$1 * genes + g]) } / Double(n)
            let target = max(0, base + delta[g])
            // One cell's count moving by one changes the mean by at most log1p(2·s)/n (s ≈ 1 here).
            XCTAssertEqual(mean, target, accuracy: 0.01, "gene \(g): generated mean \(mean), target \(target)")
        }
        // The all-zero gene with a small increase: a few cells get counts, the rest stay zero (not all alike).
        let column5 = (0..<n).map { values[$0 * genes + 5] }
        let nonzero = column5.filter { $0 > 0 }.count
        XCTAssertGreaterThan(nonzero, 0)
        XCTAssertLessThan(nonzero, n / 10)
        // A decrease keeps cells distinct: thinning leaves a spread, not one shifted value.
        XCTAssertGreaterThan(Set((0..<n).map { values[$0 * genes + 3] }).count, 10)
        // Determinism and the seed's role.
        XCTAssertEqual(values, resampler.generate(sources: sources, delta: delta, key: 1, threads: 1))
        XCTAssertNotEqual(values, resampler.generate(sources: sources, delta: delta, key: 2, threads: 1))
    }

    func testResponseStrengthsMoveOnlyTheRespondingCellsAndKeepTheMean() throws {
        let counts = controlCounts()
        let data = logDataset(counts)
        let resampler = CountResampler(recovered: try RecoveredCounts(data, rows: Array(0..<counts.rows), path: "mem"), seed: 5)
        // Decreases the responding half can carry alone (it cannot lose more than all its counts).
        let delta = [0.4, -0.15, 0.8, -1.0, 0.05, 0.02]
        let sources = Array(0..<counts.rows), n = sources.count, genes = delta.count
        // Uniform responses are the mean generator.
        XCTAssertEqual(
            resampler.generate(sources: sources, delta: delta, key: 1, responses: [Double](repeating: 1, count: n)),
            resampler.generate(sources: sources, delta: delta, key: 1))
        // Half the cells respond (strength 2), half do not (0): the silent half keeps its control values exactly,
        // and the set's mean still meets the target.
        let responses = (0..<n).map { $0 % 2 == 0 ? 2.0 : 0.0 }
        let values = resampler.generate(sources: sources, delta: delta, key: 1, responses: responses)
        let x = data.expression.toDense()
        for g in 0..<genes {
            for k in stride(from: 1, to: n, by: 2) { XCTAssertEqual(values[k * genes + g], x[k, g], accuracy: 1e-6) }
            let base = (0..<n).reduce(0.0) { $0 + Double(x[$1, g]) } / Double(n)
            let mean = (0..<n).reduce(0.0) { $0 + Double(values[$1 * genes + g]) } / Double(n)
            XCTAssertEqual(mean, max(0, base + delta[g]), accuracy: 0.01, "gene \(g)")
        }
        // The responders carry the whole change: gene 3 (delta −1.0) drops by about 2 in them.
        let responders = stride(from: 0, to: n, by: 2).map { $0 }
        let drop = responders.reduce(0.0) { $0 + Double(x[$1, 3] - values[$1 * genes + 3]) } / Double(responders.count)
        XCTAssertGreaterThan(drop, 1.6)
    }

    func testSetResponsesAreProjectionsOnTheMeanShift() throws {
        // Sources: two cells, three genes. Predicted: cell 0 moved by (2, 0, 0), cell 1 left in place.
        let sources = CSRMatrix(dense: Matrix(rowArrays: [[Float(1), 0, 1], [0, 2, 0]]))
        let moved = SetResponse(predicted: Matrix(rowArrays: [[Float(3), 0, 1], [0, 2, 0]]), sources: sources)
        XCTAssertEqual(moved.delta, [1, 0, 0])
        XCTAssertEqual(moved.responses, [2, 0])
        // Alike shifts: strength 1 each; a row predicted below 0 counts as 0; no shift at all: 1 each.
        let alike = SetResponse(predicted: Matrix(rowArrays: [[Float(1.5), 0, 1], [0.5, 2, -1]]), sources: sources)
        XCTAssertEqual(alike.delta, [0.5, 0, 0])
        XCTAssertEqual(alike.responses, [1, 1])
        XCTAssertEqual(SetResponse(predicted: Matrix(rowArrays: [[Float(1), 0, 1], [0, 2, 0]]), sources: sources).responses, [1, 1])
        // A cell moved against the set's direction does not respond (0), and the rest rescale to mean 1.
        let three = CSRMatrix(dense: Matrix(rowArrays: [[Float(1)], [1], [1]]))
        let against = SetResponse(predicted: Matrix(rowArrays: [[Float(4)], [2], [0]]), sources: three)
        XCTAssertEqual(against.delta, [1])
        XCTAssertEqual(against.responses[2], 0)
        XCTAssertEqual(against.responses[0] / against.responses[1], 3, accuracy: 1e-12)
        XCTAssertEqual(against.responses.reduce(0, +), 3, accuracy: 1e-12)
    }

    func testZeroDeltaCopiesTheControlCells() throws {
        let counts = controlCounts(cells: 20)
        let data = logDataset(counts)
        let resampler = CountResampler(recovered: try RecoveredCounts(data, rows: Array(0..<20), path: "mem"), seed: 5)
        let values = resampler.generate(sources: [4, 2, 4], delta: [0, 0, 0, 0, 0, 0], key: 9)
        let x = data.expression.toDense()
        for (k, source) in [4, 2, 4].enumerated() {
            for g in 0..<6 { XCTAssertEqual(values[k * 6 + g], x[source, g], accuracy: 1e-6) }
        }
    }

    func testDiscreteQuantilesInvertTheirDistributions() {
        // Binomial(4, 0.5): CDF 1/16, 5/16, 11/16, 15/16, 1.
        XCTAssertEqual(DiscreteQuantilesProbe.binomial(4, 0.5, [0.05, 0.07, 0.3, 0.32, 0.9, 0.95]), [0, 1, 1, 2, 3, 4])
        // Poisson(1): CDF e⁻¹ = 0.3679, 0.7358, 0.9197, 0.9810.
        XCTAssertEqual(DiscreteQuantilesProbe.poisson(1, [0.3, 0.5, 0.8, 0.95, 0.99]), [0, 1, 2, 3, 4])
        // Large parameters (the underflowing branches) stay near the mean at the median.
        XCTAssertEqual(Double(DiscreteQuantilesProbe.binomial(5000, 0.9, [0.5])[0]), 4500, accuracy: 2)
        XCTAssertEqual(Double(DiscreteQuantilesProbe.poisson(900, [0.5])[0]), 900, accuracy: 2)
    }
}

/// Vectorized calls of the quantiles for the test above.
enum DiscreteQuantilesProbe {
    static func binomial(_ n: Int, _ p: Double, _ us: [Double]) -> [Int] {
        us.map { DiscreteQuantiles.binomial(trials: n, probability: p, u: $0) }
    }
    static func poisson(_ lambda: Double, _ us: [Double]) -> [Int] { us.map { DiscreteQuantiles.poisson(mean: lambda, u: $0) } }
}
