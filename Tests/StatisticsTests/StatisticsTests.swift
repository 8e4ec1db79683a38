import LinearAlgebra
import Statistics
import XCTest

/// Hand-computed values for each statistic (worked arithmetic in the comments).
final class StatisticsTests: XCTestCase {
    func testMannWhitneyWithoutTies() {
        // x = 1,2,3; y = 4,5,6: R1 = 6, U1 = 0, U2 = 9, μ = 4.5, σ² = 9/12·7 = 5.25,
        // z = (9 − 4.5 − 0.5)/√5.25 = 1.745743, p = erfc(z/√2) = 0.0808556 (scipy: 0.08085559837005224).
        let r = MannWhitney.test([1, 2, 3], [4, 5, 6])
        XCTAssertEqual(r.statistic, 0)
        XCTAssertEqual(r.pValue, 0.08085559837005224, accuracy: 1e-15)
    }

    func testMannWhitneyWithTiesAndZeros() {
        // scipy.stats.mannwhitneyu([0,0,1,2,2], [0,2,3,3,3,0,0], method="asymptotic") → U 13, p 0.4940129790759398.
        let r = MannWhitney.test([0, 0, 1, 2, 2], [0, 2, 3, 3, 3, 0, 0])
        XCTAssertEqual(r.statistic, 13)
        XCTAssertEqual(r.pValue, 0.4940129790759398, accuracy: 1e-15)
        // The one-sort engine (zeros implicit) gives the same bits.
        XCTAssertEqual(sparseTest([1, 2, 2], cells: 5, reference: [2, 3, 3, 3], cells: 7), r)
    }

    func testAllIdenticalValuesGivePOne() {
        XCTAssertEqual(MannWhitney.test([0, 0], [0, 0, 0]).pValue, 1)
        XCTAssertEqual(sparseTest([], cells: 3, reference: [], cells: 4), MannWhitneyResult(statistic: 6, pValue: 1))
    }

    /// One group against a reference through ``GroupRankSums`` (non-zeros only; zeros implied by the sizes).
    private func sparseTest(_ a: [Float], cells nA: Int, reference b: [Float], cells nB: Int) -> MannWhitneyResult {
        let engine = GroupRankSums(groups: 2)
        engine.reset(expecting: a.count + b.count)
        for v in a { engine.add(v, group: 0) }
        for v in b { engine.add(v, group: 1) }
        var result: MannWhitneyResult?
        [nA, nB].withUnsafeBufferPointer { engine.test(sizes: $0) { result = $1 } }
        return result!
    }

    /// One radix sort per gene for all groups gives each group's test bit for bit.
    func testGroupRankSumsEqualsPairwiseTests() {
        var state: UInt64 = 7
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        for _ in 0..<100 {
            let groups = 2 + next() % 5  // the last is the reference
            let sizes = (0..<groups).map { _ in 1 + next() % 40 }
            let samples = sizes.map { n in (0..<n).map { _ in next() % 3 == 0 ? Float(0) : Float(next() % 7) / 3 } }
            let engine = GroupRankSums(groups: groups)
            engine.reset(expecting: samples.joined().count)
            for (g, sample) in samples.enumerated() { for v in sample where v != 0 { engine.add(v, group: Int32(g)) } }
            var results: [Int: MannWhitneyResult] = [:]
            sizes.withUnsafeBufferPointer { engine.test(sizes: $0) { results[$0] = $1 } }
            for g in 0..<(groups - 1) {
                let expected = MannWhitney.test(samples[g].map(Double.init), samples[groups - 1].map(Double.init))
                XCTAssertEqual(results[g]!.statistic, expected.statistic)
                XCTAssertEqual(results[g]!.pValue, expected.pValue, accuracy: 1e-14)
            }
        }
    }

    func testBenjaminiHochberg() {
        // sorted 0.005, 0.01, 0.03, 0.04 × m/i = 0.02, 0.02, 0.04, 0.04; running minimum from the top keeps them.
        XCTAssertEqual(benjaminiHochberg([0.01, 0.04, 0.03, 0.005]), [0.02, 0.04, 0.039999999999999994, 0.02])  // scipy, bit for bit
        // A larger p later in order caps earlier ones: 0.5·2/1 = 1.0 → min(1.0, 0.6) = 0.6.
        XCTAssertEqual(benjaminiHochberg([0.5, 0.6]), [0.6, 0.6])
    }

    func testRanksAndCorrelations() {
        XCTAssertEqual(averageRanks([3, 1, 3, 2]), [3.5, 1, 3.5, 2])
        // dx = dy up to a swap: Σdxdy = 4, Σdx² = 5 → r = 0.8.
        XCTAssertEqual(pearson([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, accuracy: 1e-15)
        XCTAssertEqual(spearman([10, 20, 30, 40], [1, 30, 20, 400]), 0.8, accuracy: 1e-15)
        XCTAssertTrue(pearson([1, 1, 1], [1, 2, 3]).isNaN)
    }

    func testAveragePrecisionAndROC() {
        // Descending scores 0.9(+) 0.8(−) 0.7(+) 0.1(−): AP = 0.5·1 + 0 + 0.5·(2/3) = 0.8333…;
        // ROC: 3 of 4 positive/negative pairs ordered correctly → 0.75.
        let labels = [true, false, true, false], scores = [0.9, 0.8, 0.7, 0.1]
        XCTAssertEqual(averagePrecision(labels: labels, scores: scores), 5.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(rocAUC(labels: labels, scores: scores), 0.75, accuracy: 1e-15)
        // Tied scores form one threshold: both at 0.5 → ROC 0.5, AP = 0.5.
        XCTAssertEqual(rocAUC(labels: [true, false], scores: [0.5, 0.5]), 0.5)
        XCTAssertEqual(averagePrecision(labels: [true, false], scores: [0.5, 0.5]), 0.5)
        XCTAssertTrue(rocAUC(labels: [true, true], scores: [0.1, 0.2]).isNaN)
    }

    func testColumnSummaryMatchesPolarsDescribe() {
        // polars: describe() of [1.0, NaN, null, 3.0, 2.0] → count 4, null_count 1, mean NaN, std NaN,
        // min 1, 25% 2, 50% 3, 75% 3, max 3 (NaN sorts last; nearest index round((n−1)q)).
        let s = ColumnSummary([1, .nan, nil, 3, 2])
        XCTAssertEqual(s.count, 4)
        XCTAssertEqual(s.nullCount, 1)
        XCTAssertTrue(s.mean!.isNaN && s.std!.isNaN)
        XCTAssertEqual([s.min, s.q25, s.median, s.q75, s.max], [1, 2, 3, 3, 3])
        let plain = ColumnSummary([1, 2, 3, 4])
        XCTAssertEqual(plain.mean, 2.5)
        XCTAssertEqual(plain.std!, (5.0 / 3.0).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual([plain.q25, plain.median, plain.q75], [2, 3, 3])
    }

    func testEnergyDistance() throws {
        // X = {0, 1}, Y = {3} on a line: E|X−Y| = 2.5, E|X−X′| = (0+1+1+0)/4 = 0.5, E|Y−Y′| = 0 → 4.5.
        let m = try CSRMatrix(rows: 3, columns: 1, rowPointers: [0, 0, 1, 2], columnIndices: [0, 0], values: [1, 3])
        let d = CellDistances(blockRows: 1)
        let within = d.float32MeanDistance(m, rows: [0, 1], m, rows: [0, 1], within: true)
        XCTAssertEqual(within, 0.5, accuracy: 1e-6)
        XCTAssertEqual(d.float32MeanDistance(m, rows: [0, 1], m, rows: [2], within: false), 2.5, accuracy: 1e-6)
        let yWithin = d.float32MeanDistance(m, rows: [2], m, rows: [2], within: true)
        XCTAssertEqual(d.float32EnergyDistance(m, rows: [0, 1], m, rows: [2], withinY: yWithin), 4.5, accuracy: 1e-6)
    }

    func testWelchT() {
        // (2 − 1)/√(1/4 + 1/4) = √2; zero variance on both sides → NaN → 0.
        XCTAssertEqual(
            welchT(mean1: 2, variance1: 1, count1: 4, mean2: 1, variance2: 1, count2: 4), 2.0.squareRoot(),
            accuracy: 1e-15)
        XCTAssertEqual(welchT(mean1: 1, variance1: 0, count1: 3, mean2: 1, variance2: 0, count2: 3), 0)
    }
}
