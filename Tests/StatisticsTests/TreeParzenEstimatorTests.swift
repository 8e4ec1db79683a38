import XCTest
import Support
@testable import Statistics

final class TreeParzenEstimatorTests: XCTestCase {
    /// Each Parzen density is a probability density on its interval (truncated components renormalized), and a
    /// probability vector on choices.
    func testParzenDensitiesIntegrateToOne() {
        let dimensions: [SearchDimension] = [
            .real(low: -1, high: 3, log: false), .real(low: 1e-4, high: 1, log: true), .integer(low: 2, high: 9, log: false),
        ]
        for dimension in dimensions {
            let (low, high) = dimension.bounds
            for points in [[], [low + 0.01], [low, high, (low + high) / 2, low + 0.3 * (high - low)]] {
                let density = ParzenDensity(dimension, points: points, priorWeight: 1)
                let n = 20_000
                let h = (high - low) / Double(n)
                var integral = 0.0
                for i in 0...n {
                    let w = i == 0 || i == n ? 0.5 : 1.0
                    integral += w * exp(density.logDensity(low + Double(i) * h)) * h
                }
                XCTAssertEqual(integral, 1, accuracy: 1e-6, "\(dimension) \(points)")
                var rng = SeededRandom(seed: 4)
                for _ in 0..<200 {
                    let x = density.sample(&rng)
                    XCTAssertTrue(x >= low && x <= high)
                }
            }
        }
        // Choices: counts plus a flat prior of total weight 1 → (count + 1/k) / (n + 1).
        let choices = ParzenDensity(.choice(["a", "b", "c", "d"]), points: [1, 1, 3], priorWeight: 1)
        XCTAssertEqual(exp(choices.logDensity(1)), 2.25 / 4, accuracy: 1e-12)
        XCTAssertEqual(exp(choices.logDensity(0)), 0.25 / 4, accuracy: 1e-12)
        XCTAssertEqual(exp(choices.logDensity(3)), 1.25 / 4, accuracy: 1e-12)
    }

    /// Hyperopt's bandwidths: a point's σ is its larger gap to a neighbour (the interval's ends count), clipped to
    /// [width / min(100, n + 1), width]; the prior component keeps the whole width.
    func testBandwidthsFollowHyperopt() {
        let d = ParzenDensity(.real(low: 0, high: 10, log: false), points: [1, 2, 9], priorWeight: 1)
        // Sorted centres 1, 2, 5 (prior), 9: gaps give 1 → max(1, 1) = 1, 2 → max(1, 3) = 3, prior 10, 9 → max(4, 1) = 4;
        // the floor is 10 / 4 = 2.5.
        XCTAssertEqual(d.centres, [1, 2, 5, 9])
        XCTAssertEqual(d.sigmas, [2.5, 3, 10, 4])
        XCTAssertEqual(d.weights, [0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(TreeParzenEstimator.gamma(1), 1)
        XCTAssertEqual(TreeParzenEstimator.gamma(60), 6)
        XCTAssertEqual(TreeParzenEstimator.gamma(1000), 25)
    }

    func search(
        _ sampler: (inout SeededRandom, [(point: [Double], loss: Double)]) -> [Double], seed: UInt64, budget: Int,
        loss: ([Double]) -> Double
    ) -> Double {
        var history: [(point: [Double], loss: Double)] = []
        for t in 0..<budget {
            var rng = SeededRandom(seed: seed, stream: UInt64(t))
            let p = sampler(&rng, history)
            history.append((p, loss(p)))
        }
        return history.map(\.loss).min()!
    }

    /// On a smooth two-dimensional loss (a log-scale learning rate and a real), TPE's best after 40 trials is
    /// better than random search's on the same budget, over 10 seeds; and the same seed gives the same proposals.
    func testTPEBeatsRandomSearchOnTheSameBudget() {
        let space = SearchSpace(["lr": .real(low: 1e-5, high: 1, log: true), "dropout": .real(low: 0, high: 0.9, log: false)])
        // Internal coordinates: dropout, log lr (names sorted). Optimum at lr = 1e-3, dropout = 0.3.
        func loss(_ p: [Double]) -> Double { pow(p[0] - 0.3, 2) + pow((p[1] - log(1e-3)) / 4, 2) }
        let tpe = TreeParzenEstimator()
        var tpeBest: [Double] = [], randomBest: [Double] = []
        for seed in 0..<10 as Range<UInt64> {
            tpeBest.append(search({ rng, h in tpe.suggest(space, history: h, rng: &rng) }, seed: seed, budget: 40, loss: loss))
            randomBest.append(search({ rng, _ in space.dimensions.map { $0.sample(&rng) } }, seed: seed, budget: 40, loss: loss))
        }
        let tpeMean = tpeBest.reduce(0, +) / 10, randomMean = randomBest.reduce(0, +) / 10
        XCTAssertLessThan(tpeMean, 0.5 * randomMean, "TPE \(tpeBest) vs random \(randomBest)")
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9)
        var history: [(point: [Double], loss: Double)] = []
        for i in 0..<15 {
            let x = Double(i)
            history.append((point: [x / 20, -x / 2], loss: Double((i * 7) % 5)))
        }
        XCTAssertEqual(tpe.suggest(space, history: history, rng: &a), tpe.suggest(space, history: history, rng: &b))
    }

    /// With one good choice among five, TPE proposes it for most trials after its start-up draws.
    func testTPEConcentratesOnTheGoodChoice() {
        let space = SearchSpace(["width": .choice(["16", "32", "64", "128", "256"])])
        let tpe = TreeParzenEstimator(startupTrials: 5)
        var history: [(point: [Double], loss: Double)] = []
        var late: [Int] = []
        for t in 0..<30 {
            var rng = SeededRandom(seed: 2, stream: UInt64(t))
            let p = tpe.suggest(space, history: history, rng: &rng)
            if t >= 15 { late.append(Int(p[0])) }
            history.append((p, p[0] == 2 ? 0 : 1 + p[0]))
        }
        XCTAssertGreaterThanOrEqual(late.filter { $0 == 2 }.count, 10, "\(late)")
        XCTAssertEqual(space.texts([2]), ["width": "64"])
    }

    func testDimensionTextsRoundTrip() {
        let integer = SearchDimension.integer(low: 1, high: 512, log: true)
        XCTAssertEqual(integer.text(log(100.4)), "100")
        XCTAssertEqual(integer.text(integer.bounds.high), "512", "clipped to the interval")
        XCTAssertEqual(integer.coordinate("100"), log(100))
        XCTAssertNil(integer.coordinate("1000"))
        let real = SearchDimension.real(low: 1e-4, high: 1e-1, log: true)
        XCTAssertEqual(real.text(log(0.0012345678)), "0.001235")
        XCTAssertNotNil(real.coordinate("0.001235"))
    }
}
