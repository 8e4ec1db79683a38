import Foundation
import LinearAlgebra

/// PyTorch's `torch.optim.AdamW` for a list of flat parameter arrays: decoupled weight decay p ← p(1 − lr·λ),
/// then the bias-corrected Adam step p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
public struct AdamW<Scalar: BinaryFloatingPoint>: Sendable where Scalar: Sendable {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// Decoupled weight decay λ.
    public var weightDecay: Double
    private var first: [[Scalar]]
    private var second: [[Scalar]]
    private var steps = 0

    /// An optimizer for parameters of the given sizes.
    public init(sizes: [Int], weightDecay: Double) {
        self.weightDecay = weightDecay
        first = sizes.map { [Scalar](repeating: 0, count: $0) }
        second = first
    }

    /// One step with learning rate `rate`: `gradients[i]` belongs to `parameters[i]`.
    public mutating func step(_ parameters: inout [[Scalar]], gradients: [[Scalar]], rate: Double) {
        steps += 1
        let c1 = 1 - pow(beta1, Double(steps)), c2 = (1 - pow(beta2, Double(steps))).squareRoot()
        let decay = Scalar(1 - rate * weightDecay), stepSize = Scalar(rate / c1)
        let b1 = Scalar(beta1), b2 = Scalar(beta2), eps = Scalar(epsilon), root2 = Scalar(c2)
        for p in parameters.indices {
            precondition(parameters[p].count == gradients[p].count, "one gradient per parameter")
            for i in parameters[p].indices {
                let g = gradients[p][i]
                first[p][i] = b1 * first[p][i] + (1 - b1) * g
                second[p][i] = b2 * second[p][i] + (1 - b2) * g * g
                parameters[p][i] = parameters[p][i] * decay - stepSize * first[p][i] / (second[p][i].squareRoot() / root2 + eps)
            }
        }
    }
}
