import Foundation
import Support

/// How a probe or decoder is trained, as Tx-Evaluation's Lightning runs do: AdamW with a per-step warm-up cosine
/// schedule, reshuffled minibatches each epoch, and only full batches (its loader's length is ⌊n / batch⌋; when
/// n < batch size we train on one batch of all n rows, where the reference loader would yield nothing).
public struct MinibatchTraining: Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    /// Peak learning rate.
    public var rate: Double
    public var weightDecay: Double
    /// Warm-up length in epochs (converted to steps: × batches per epoch).
    public var warmupEpochs: Double = 10
    /// Learning rate of the first step.
    public var warmupStart: Double = 3e-5
    /// Floor of the cosine annealing.
    public var minimumRate: Double = 0

    public init(epochs: Int, batchSize: Int, rate: Double, weightDecay: Double) {
        self.epochs = epochs; self.batchSize = batchSize; self.rate = rate; self.weightDecay = weightDecay
    }

    /// Full batches per epoch for `n` rows.
    public func batchesPerEpoch(_ n: Int) -> Int { max(1, n / max(batchSize, 1)) }

    /// The schedule over every step of training on `n` rows.
    public func schedule(rows n: Int) -> WarmupCosineSchedule {
        let perEpoch = Double(batchesPerEpoch(n))
        return WarmupCosineSchedule(
            base: rate, start: warmupEpochs > 0 ? warmupStart : rate, minimum: minimumRate,
            warmupSteps: warmupEpochs * perEpoch, totalSteps: Double(epochs) * perEpoch)
    }

    /// The row indices of each batch of one epoch: a fresh permutation cut into full batches.
    public func batches(rows n: Int, _ rng: inout SeededRandom) -> [[Int]] {
        var order = Array(0..<n)
        rng.shuffle(&order)
        let size = min(max(batchSize, 1), n)
        return (0..<batchesPerEpoch(n)).map { Array(order[($0 * size)..<(($0 + 1) * size)]) }
    }
}
