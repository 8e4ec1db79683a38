/// How a mean-only forward model's predicted delta becomes predicted cells (`perturb predict --cells`).
public enum CellGeneration: String, CaseIterable, Sendable, Codable {
    /// The default: each matched control cell's counts are scaled in count space and resampled — binomial
    /// thinning for decreases, added Poisson counts for increases — with the per-gene scale chosen so that the
    /// generated cells' log1p mean is the control mean plus the predicted delta (`CountResampler`).
    case resample
    /// Round 1's generator, kept for comparison: each matched control cell plus the delta, clipped at 0. Every
    /// predicted cell then carries the same shift, which no real population has (DE metrics see the artifact).
    case shift
}
