import Foundation

/// A linear warm-up then cosine annealing of the learning rate, per optimizer step, in the closed form of
/// Lightning Bolts' `LinearWarmupCosineAnnealingLR` (which Tx-Evaluation copies): step s < W uses
/// start + s·(base − start)/(W − 1), step W uses base, later steps min + ½(base − min)(1 + cos(π(s − W)/(M − W))).
/// W and M may be fractional (Tx-Evaluation passes warm-up epochs × steps per epoch).
public struct WarmupCosineSchedule: Sendable, Equatable {
    /// The peak learning rate (the optimizer's).
    public var base: Double
    /// The learning rate of step 0.
    public var start: Double
    /// The floor of the annealing.
    public var minimum: Double
    /// Warm-up length W, in steps.
    public var warmupSteps: Double
    /// Total length M, in steps.
    public var totalSteps: Double

    public init(base: Double, start: Double, minimum: Double = 0, warmupSteps: Double, totalSteps: Double) {
        self.base = base; self.start = start; self.minimum = minimum
        self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// The learning rate of optimizer step `step` (0-based).
    public func rate(at step: Int) -> Double {
        let s = Double(step)
        if warmupSteps > 0 && s < warmupSteps {
            // The reference divides by W − 1; with W ≤ 1 that is the start rate for step 0 only.
            return warmupSteps > 1 ? start + s * (base - start) / (warmupSteps - 1) : start
        }
        if s == warmupSteps { return base }
        let span = totalSteps - warmupSteps
        guard span > 0 else { return base }
        return minimum + 0.5 * (base - minimum) * (1 + cos(Double.pi * (s - warmupSteps) / span))
    }
}
