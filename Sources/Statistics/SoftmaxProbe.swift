import Foundation
import LinearAlgebra
import Support

/// A linear probe as Tx-Evaluation's `LinearModel` trains it: one linear layer (PyTorch's default initialization,
/// U(±1/√d) for weights and biases), softmax cross-entropy averaged over the batch, AdamW with a warm-up cosine
/// schedule (`MinibatchTraining`). Classes are indices 0..<classes.
public struct SoftmaxProbe: Sendable {
    /// Weights, features × classes.
    public let weights: Matrix<Double>
    public let biases: [Double]

    /// Trains on the rows of `x` with class indices `labels`.
    public static func fit(
        _ x: Matrix<Double>, labels: [Int], classes: Int, training: MinibatchTraining, seed: UInt64
    ) -> SoftmaxProbe {
        precondition(labels.count == x.rows, "one label per row")
        let d = x.columns, n = x.rows
        var rng = SeededRandom(seed: seed, stream: 31)
        let bound = 1 / Double(max(d, 1)).squareRoot()
        var parameters: [[Double]] = [
            (0..<(d * classes)).map { _ in rng.uniform(-bound, bound) }, (0..<classes).map { _ in rng.uniform(-bound, bound) },
        ]
        guard n > 0 else { return SoftmaxProbe(weights: Matrix(rows: d, columns: classes, storage: parameters[0]), biases: parameters[1]) }
        var optimizer = AdamW<Double>(sizes: [d * classes, classes], weightDecay: training.weightDecay)
        let schedule = training.schedule(rows: n)
        var step = 0
        for _ in 0..<training.epochs {
            for batch in training.batches(rows: n, &rng) {
                let (_, gradients) = Self.lossAndGradients(
                    parameters, x: x.selectingRows(batch), labels: batch.map { labels[$0] }, classes: classes)
                optimizer.step(&parameters, gradients: gradients, rate: schedule.rate(at: step))
                step += 1
            }
        }
        return SoftmaxProbe(weights: Matrix(rows: d, columns: classes, storage: parameters[0]), biases: parameters[1])
    }

    /// The mean cross-entropy of `labels` under the softmax of x·W + b, and its gradient with respect to the
    /// parameters [W (features × classes, row-major), b].
    static func lossAndGradients(_ parameters: [[Double]], x: Matrix<Double>, labels: [Int], classes: Int) -> (Double, [[Double]]) {
        let d = x.columns, m = Double(x.rows)
        var g = x.multiplied(by: Matrix(rows: d, columns: classes, storage: parameters[0]))  // logits → (softmax − onehot)/m
        var loss = 0.0
        for r in 0..<x.rows {
            var top = -Double.infinity
            for c in 0..<classes {
                g.storage[r * classes + c] += parameters[1][c]
                top = max(top, g.storage[r * classes + c])
            }
            var sum = 0.0
            for c in 0..<classes { sum += exp(g.storage[r * classes + c] - top) }
            loss += (top + log(sum) - g.storage[r * classes + labels[r]]) / m
            for c in 0..<classes { g.storage[r * classes + c] = exp(g.storage[r * classes + c] - top) / (sum * m) }
            g.storage[r * classes + labels[r]] -= 1 / m
        }
        var gb = [Double](repeating: 0, count: classes)
        for r in 0..<x.rows { for c in 0..<classes { gb[c] += g.storage[r * classes + c] } }
        return (loss, [x.multiplied(by: g, transposeSelf: true).storage, gb])
    }

    /// Logits, rows × classes.
    public func logits(_ x: Matrix<Double>) -> Matrix<Double> {
        var z = x.multiplied(by: weights)
        let k = biases.count
        for i in 0..<x.rows { for c in 0..<k { z.storage[i * k + c] += biases[c] } }
        return z
    }

    /// Classes of each row from the largest logit down (ties by class index).
    public func rankedClasses(_ x: Matrix<Double>) -> [[Int]] {
        ClassCodes.ranked(logits(x))
    }
}
