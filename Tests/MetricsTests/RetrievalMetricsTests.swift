import XCTest
@testable import Metrics

/// MRR, Exact/Relevant Hit@K and Recall@K against rankings worked by hand, ties and multi-target queries included.
final class RetrievalMetricsTests: XCTestCase {
    let universe = ["a", "b", "c", "d", "e"]
    let cutoffs = [1, 2, 3, 4, 5]

    func outcome(_ scores: [String: Double], _ targets: Set<String>, universe: [String]? = nil) -> RetrievalOutcome {
        RetrievalMetrics.evaluate(scores: scores, targets: targets, universe: universe ?? self.universe, cutoffs: cutoffs)
    }

    func assertClose(_ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-12, "\(a) vs \(b)", file: file, line: line) }
    }

    func testSingleTargetWithoutTies() {
        let o = outcome(["a": 5, "b": 4, "c": 3, "d": 2, "e": 1], ["c"])
        XCTAssertEqual(o.reciprocalRank, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(o.bestRank, 3)
        assertClose(o.exactHit, [0, 0, 1, 1, 1])
        assertClose(o.relevantHit, [0, 0, 1, 1, 1])
        assertClose(o.recall, [0, 0, 1, 1, 1])
    }

    func testTwoTargetsWithoutTies() {
        // b at rank 2, d at rank 4.
        let o = outcome(["a": 5, "b": 4, "c": 3, "d": 2, "e": 1], ["b", "d"])
        XCTAssertEqual(o.reciprocalRank, 0.5, accuracy: 1e-12)
        assertClose(o.exactHit, [0, 0, 0, 1, 1])
        assertClose(o.relevantHit, [0, 1, 1, 1, 1])
        assertClose(o.recall, [0, 0.5, 0.5, 1, 1])
    }

    func testTieIsScoredByItsExpectation() {
        // c shares ranks 2–4 with b and d: each position has probability 1/3.
        let o = outcome(["a": 5, "b": 3, "c": 3, "d": 3, "e": 1], ["c"])
        XCTAssertEqual(o.reciprocalRank, (1.0 / 2 + 1.0 / 3 + 1.0 / 4) / 3, accuracy: 1e-12)
        XCTAssertEqual(o.bestRank, 3, accuracy: 1e-12)
        assertClose(o.exactHit, [0, 1.0 / 3, 2.0 / 3, 1, 1])
        assertClose(o.relevantHit, o.exactHit)
        assertClose(o.recall, o.exactHit)
    }

    func testTwoTargetsInOneTie() {
        // b and c among the three tied at ranks 2–4: the better of them is at 2 with probability 2/3, else at 3.
        let o = outcome(["a": 5, "b": 3, "c": 3, "d": 3, "e": 1], ["b", "c"])
        XCTAssertEqual(o.reciprocalRank, 2.0 / 3 * 0.5 + 1.0 / 3 / 3, accuracy: 1e-12)
        XCTAssertEqual(o.bestRank, 2 + 1.0 / 3, accuracy: 1e-12)
        // Top 3 holds 2 of the 3 tied: both targets there with probability 1/3; at least one always unless the
        // single slot of the top 2 goes to d (1/3).
        assertClose(o.exactHit, [0, 0, 1.0 / 3, 1, 1])
        assertClose(o.relevantHit, [0, 2.0 / 3, 1, 1, 1])
        assertClose(o.recall, [0, 1.0 / 3, 2.0 / 3, 1, 1])
    }

    func testUnscoredCandidatesTieAtTheBottom() {
        let o = RetrievalMetrics.evaluate(scores: ["a": 1], targets: ["c"], universe: ["a", "b", "c"], cutoffs: [1, 2, 3])
        XCTAssertEqual(o.reciprocalRank, (1.0 / 2 + 1.0 / 3) / 2, accuracy: 1e-12)
        assertClose(o.exactHit, [0, 0.5, 1])
        // Scores for genes outside the universe are ignored.
        let ignored = RetrievalMetrics.evaluate(scores: ["a": 1, "z": 9], targets: ["c"], universe: ["a", "b", "c"], cutoffs: [1, 2, 3])
        XCTAssertEqual(ignored, o)
    }

    func testTargetOutsideTheUniverseIsNeverFound() {
        let o = outcome(["a": 5, "b": 4, "c": 3, "d": 2, "e": 1], ["a", "z"])
        XCTAssertEqual(o.reciprocalRank, 1)
        assertClose(o.exactHit, [0, 0, 0, 0, 0])
        assertClose(o.relevantHit, [1, 1, 1, 1, 1])
        assertClose(o.recall, [0.5, 0.5, 0.5, 0.5, 0.5])
    }

    func testRandomExpectationEqualsAConstantScorer() {
        let random = RetrievalMetrics.random(targetCount: 1, universeSize: 4, cutoffs: [1, 2, 3, 4])
        XCTAssertEqual(random.reciprocalRank, (1 + 1.0 / 2 + 1.0 / 3 + 1.0 / 4) / 4, accuracy: 1e-12)
        assertClose(random.exactHit, [0.25, 0.5, 0.75, 1])
        let constant = RetrievalMetrics.evaluate(
            scores: ["a": 0, "b": 0, "c": 0, "d": 0], targets: ["b"],
            universe: ["a", "b", "c", "d"], cutoffs: [1, 2, 3, 4])
        XCTAssertEqual(constant.reciprocalRank, random.reciprocalRank, accuracy: 1e-12)
        assertClose(constant.recall, random.recall)
        // Two targets among 4 at random: both in the top 2 with probability 1/6, at least one with 5/6.
        let pair = RetrievalMetrics.random(targetCount: 2, universeSize: 4, cutoffs: [2])
        XCTAssertEqual(pair.exactHit[0], 1.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(pair.relevantHit[0], 5.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(pair.recall[0], 0.5, accuracy: 1e-12)
    }

    func testMeanOfOutcomes() {
        let a = outcome(["a": 5, "b": 4, "c": 3, "d": 2, "e": 1], ["a"])
        let b = outcome(["a": 5, "b": 4, "c": 3, "d": 2, "e": 1], ["c"])
        let mean = RetrievalOutcome.mean(of: [a, b])
        XCTAssertEqual(mean.reciprocalRank, (1 + 1.0 / 3) / 2, accuracy: 1e-12)
        assertClose(mean.exactHit, [0.5, 0.5, 1, 1, 1])
    }

    func testNDCGAgainstHandValues() {
        // Targets at ranks 1 and 3: DCG@K = 1/log2(2) + 1/log2(4) = 1.5 from K = 3; the ideal (ranks 1, 2) is
        // 1 + 1/log2(3) = 1.63093 from K = 2, 1 at K = 1.
        let o = outcome(["a": 5, "b": 4, "c": 3, "d": 2, "e": 1], ["a", "c"])
        let ideal = 1 + 1 / log2(3.0)
        assertClose(o.ndcg, [1, 1 / ideal, 1.5 / ideal, 1.5 / ideal, 1.5 / ideal])
        // Everything tied: each position holds one of the 2 targets with probability 2/5 —
        // E[DCG@5] = 0.4 · Σ_{r=1..5} 1/log2(r+1); the random reference gives the same.
        let tied = outcome([:], ["a", "c"])
        let expected = 0.4 * (1...5).reduce(0.0) { $0 + 1 / log2(Double($1 + 1)) } / ideal
        XCTAssertEqual(tied.ndcg[4], expected, accuracy: 1e-12)
        XCTAssertEqual(RetrievalMetrics.random(targetCount: 2, universeSize: 5, cutoffs: cutoffs).ndcg[4], expected, accuracy: 1e-12)
    }
}
