import Foundation
import LinearAlgebra
import Support
import XCTest

@testable import Statistics

/// The pieces of Tx-Evaluation's trained tasks: the warm-up cosine schedule, AdamW, the softmax probe and the MLP
/// decoder (hand-computed values and numerical gradients), and the weighted kNN vote.
final class TrainedProbeTests: XCTestCase {
    func testScheduleFollowsTheClosedFormOfLinearWarmupCosineAnnealing() {
        let s = WarmupCosineSchedule(base: 1e-3, start: 3e-5, warmupSteps: 10, totalSteps: 250)
        XCTAssertEqual(s.rate(at: 0), 3e-5, accuracy: 1e-15)
        XCTAssertEqual(s.rate(at: 5), 3e-5 + 5 * (1e-3 - 3e-5) / 9, accuracy: 1e-15)
        XCTAssertEqual(s.rate(at: 9), 1e-3, accuracy: 1e-15)  // the warm-up reaches the base one step early (÷ (W − 1))
        XCTAssertEqual(s.rate(at: 10), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(s.rate(at: 130), 0.5e-3, accuracy: 1e-15)  // halfway through the cosine
        XCTAssertEqual(s.rate(at: 250), 0, accuracy: 1e-15)
        // Tx-Evaluation counts warm-up in epochs × batches per epoch: 10 epochs of 3 batches = 30 steps of 750.
        let t = MinibatchTraining(epochs: 250, batchSize: 64, rate: 1e-3, weightDecay: 0)
        XCTAssertEqual(t.batchesPerEpoch(200), 3)
        XCTAssertEqual(t.batchesPerEpoch(10), 1)  // fewer rows than a batch: one batch of all of them
        XCTAssertEqual(t.schedule(rows: 200).warmupSteps, 30)
        XCTAssertEqual(t.schedule(rows: 200).totalSteps, 750)
        var rng = SeededRandom(seed: 1)
        let batches = t.batches(rows: 200, &rng)
        XCTAssertEqual(batches.map(\.count), [64, 64, 64])
        XCTAssertEqual(Set(batches.joined()).count, 192)  // full batches only: 8 rows sit out this epoch
    }

    func testAdamWStepAsPyTorch() {
        // One step: m = 0.05, v = 0.00025, bias corrections 0.1 and √0.001; the Adam step is lr · sign(g) = 0.1,
        // after the decoupled decay 1 → 1 − 0.1 · 0.01.
        var optimizer = AdamW<Double>(sizes: [2], weightDecay: 0.01)
        var p: [[Double]] = [[1, -2]]
        optimizer.step(&p, gradients: [[0.5, -4]], rate: 0.1)
        XCTAssertEqual(p[0][0], 0.999 - 0.1, accuracy: 1e-6)
        XCTAssertEqual(p[0][1], -2 * 0.999 + 0.1, accuracy: 1e-6)
        // Second step with the same gradient: m̂ = g, v̂ = g², so again a step of lr.
        optimizer.step(&p, gradients: [[0.5, -4]], rate: 0.1)
        XCTAssertEqual(p[0][0], (0.999 - 0.1) * 0.999 - 0.1, accuracy: 1e-6)
    }

    func testSoftmaxProbeGradientIsNumericallyRight() {
        var rng = SeededRandom(seed: 2)
        let x = Matrix(rows: 7, columns: 3, storage: (0..<21).map { _ in rng.normal() })
        let labels = [0, 1, 2, 3, 0, 1, 2]
        let parameters: [[Double]] = [(0..<12).map { _ in rng.normal() }, (0..<4).map { _ in rng.normal() }]
        let (loss, gradients) = SoftmaxProbe.lossAndGradients(parameters, x: x, labels: labels, classes: 4)
        // Hand check of the loss: mean of −log softmax.
        var expected = 0.0
        for r in 0..<7 {
            let logits = (0..<4).map { c in (0..<3).reduce(parameters[1][c]) { $0 + x[r, $1] * parameters[0][$1 * 4 + c] } }
            expected += (log(logits.map(exp).reduce(0, +)) - logits[labels[r]]) / 7
        }
        XCTAssertEqual(loss, expected, accuracy: 1e-12)
        for p in 0..<2 {
            for i in parameters[p].indices {
                var up = parameters, down = parameters
                up[p][i] += 1e-6
                down[p][i] -= 1e-6
                let numeric =
                    (SoftmaxProbe.lossAndGradients(up, x: x, labels: labels, classes: 4).0
                        - SoftmaxProbe.lossAndGradients(down, x: x, labels: labels, classes: 4).0) / 2e-6
                XCTAssertEqual(gradients[p][i], numeric, accuracy: 1e-7)
            }
        }
    }

    func testProbeLearnsSeparableClasses() {
        var rng = SeededRandom(seed: 3)
        let centers = [[3.0, 0], [0, 3.0], [-3.0, -3.0]]
        var rows: [[Double]] = [], labels: [Int] = []
        for i in 0..<90 {
            rows.append(centers[i % 3].map { $0 + rng.normal() * 0.5 })
            labels.append(i % 3)
        }
        let model = SoftmaxProbe.fit(
            Matrix(rowArrays: rows), labels: labels, classes: 3,
            training: MinibatchTraining(epochs: 100, batchSize: 32, rate: 1e-1, weightDecay: 0), seed: 1)
        let ranked = model.rankedClasses(Matrix(rowArrays: rows))
        XCTAssertEqual(zip(ranked, labels).filter { $0.0[0] == $0.1 }.count, 90)
    }

    func testMLPGradientIsNumericallyRightAndWidthsInterpolate() {
        XCTAssertEqual(MLPRegressor.interpolatedWidths(input: 50, output: 299, depth: 3), [50, 112, 174, 236, 299])
        XCTAssertEqual(MLPRegressor.interpolatedWidths(input: 40, output: 30, depth: 3), [40, 37, 35, 32, 30])
        let widths = [3, 4, 2]
        var rng = SeededRandom(seed: 4)
        let x = Matrix<Float>(rows: 5, columns: 3, storage: (0..<15).map { _ in Float(rng.normal()) })
        let y = Matrix<Float>(rows: 5, columns: 2, storage: (0..<10).map { _ in Float(rng.normal()) })
        let parameters: [[Float]] = [12, 4, 8, 2].map { n in (0..<n).map { _ in Float(rng.normal()) } }
        func loss(_ p: [[Float]]) -> Double {
            let out = MLPRegressor.forward(p, widths: widths, x: x).last!
            return zip(out.storage, y.storage).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / 10
        }
        let gradients = MLPRegressor.gradients(parameters, widths: widths, x: x, y: y)
        for p in parameters.indices {
            for i in parameters[p].indices {
                var up = parameters, down = parameters
                up[p][i] += 1e-2
                down[p][i] -= 1e-2
                XCTAssertEqual(Double(gradients[p][i]), (loss(up) - loss(down)) / 2e-2, accuracy: 2e-3, "parameter \(p)/\(i)")
            }
        }
    }

    func testWeightedKNNVotesByHand() {
        // Training rows on the unit circle; the query (1, 0). Cosine similarities 1, 0.8, 0.6, 0, −1 with labels
        // 0, 1, 1, 2, 0; k = 3: weights e^{1/T}, e^{0.8/T}, e^{0.6/T} → class 0 scores e^{14.29}, class 1
        // e^{11.43} + e^{8.57}: class 0 first, then 1, then the unvoted classes by index.
        let train = Matrix(rowArrays: [[1.0, 0], [0.8, 0.6], [0.6, 0.8], [0, 1], [-1, 0]])
        let query = Matrix(rowArrays: [[2.0, 0]])
        let cosine = WeightedKNNClassifier.rankedClasses(
            reference: train, labels: [0, 1, 1, 2, 0], classes: 3, queries: query, k: 3, threads: 1)
        XCTAssertEqual(cosine, [[0, 1, 2]])
        // Euclidean votes 1/(d + ε): from (0.5, 0), distances 0.5, 0.67, 0.86 → class 1 (1.49 + 1.16) beats class 0 (2.0).
        let euclidean = WeightedKNNClassifier.rankedClasses(
            reference: train, labels: [0, 1, 1, 2, 0], classes: 3, queries: Matrix(rowArrays: [[0.5, 0]]), k: 3,
            distance: .euclidean, threads: 1)
        XCTAssertEqual(euclidean, [[1, 0, 2]])
    }
}
