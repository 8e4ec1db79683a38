import Foundation
import Support

/// The tree-structured Parzen estimator (Bergstra et al. 2011), the sequential sampler PerturBench's searches use
/// (Optuna's default), in its independent form: each dimension is proposed on its own.
///
/// After `startupTrials` draws from the prior, the finished trials are split by loss into the best
/// γ(n) = min(⌈0.1·n⌉, 25) ("below") and the rest ("above"). Per dimension a density l(x) is fit to the below
/// points and g(x) to the above points; `candidates` draws from l are scored by log l(x) − log g(x) and the best
/// is proposed. Real and integer dimensions use a mixture of Gaussians truncated to the interval, one at each
/// point plus a prior component (centre of the interval, σ = its width), with hyperopt's bandwidths (the larger
/// gap to a neighbour, clipped to [width / min(100, n + 1), width]); choices use counts plus a flat prior of
/// total weight `priorWeight`. A trial whose loss is NaN counts as the worst.
public struct TreeParzenEstimator: Sendable {
    public var startupTrials: Int
    public var candidates: Int
    public var priorWeight: Double

    public init(startupTrials: Int = 10, candidates: Int = 24, priorWeight: Double = 1) {
        self.startupTrials = startupTrials
        self.candidates = candidates
        self.priorWeight = priorWeight
    }

    /// The number of below points for n finished trials.
    public static func gamma(_ n: Int) -> Int { min(Int((0.1 * Double(n)).rounded(.up)), 25) }

    /// The next point (internal coordinates) given the finished trials' points and losses (lower is better).
    public func suggest(_ space: SearchSpace, history: [(point: [Double], loss: Double)], rng: inout SeededRandom) -> [Double] {
        guard history.count >= max(startupTrials, 2) else { return space.dimensions.map { $0.sample(&rng) } }
        let order = history.indices.sorted { a, b in
            let (x, y) = (history[a].loss, history[b].loss)
            if x.isNaN != y.isNaN { return y.isNaN }
            return x < y || (x == y && a < b)
        }
        let nBelow = max(1, Self.gamma(history.count))
        let below = order.prefix(nBelow).map { history[$0].point }
        let above = order.dropFirst(nBelow).map { history[$0].point }
        return space.dimensions.indices.map { d in
            let l = ParzenDensity(space.dimensions[d], points: below.map { $0[d] }, priorWeight: priorWeight)
            let g = ParzenDensity(space.dimensions[d], points: above.map { $0[d] }, priorWeight: priorWeight)
            var best = (x: 0.0, score: -Double.infinity)
            for _ in 0..<max(1, candidates) {
                let x = l.sample(&rng)
                let score = l.logDensity(x) - g.logDensity(x)
                if score > best.score { best = (x, score) }
            }
            return best.x
        }
    }
}

/// A one-dimensional Parzen estimator over a search dimension's internal coordinate (see `TreeParzenEstimator`).
public struct ParzenDensity: Sendable {
    let dimension: SearchDimension
    /// Choices: probability of each index.
    let probabilities: [Double]
    /// Intervals: mixture weights, centres and bandwidths (the prior component included).
    let weights: [Double]
    let centres: [Double]
    let sigmas: [Double]

    public init(_ dimension: SearchDimension, points: [Double], priorWeight: Double) {
        self.dimension = dimension
        if case .choice(let values) = dimension {
            var counts = [Double](repeating: priorWeight / Double(values.count), count: values.count)
            for p in points { counts[min(values.count - 1, max(0, Int(p.rounded())))] += 1 }
            let total = counts.reduce(0, +)
            probabilities = counts.map { $0 / total }
            weights = []
            centres = []
            sigmas = []
            return
        }
        probabilities = []
        let (low, high) = dimension.bounds
        let width = high - low
        let prior = (low + high) / 2
        var mus = points + [prior]
        var w = [Double](repeating: 1, count: points.count) + [priorWeight]
        let order = mus.indices.sorted { mus[$0] < mus[$1] || (mus[$0] == mus[$1] && $0 < $1) }
        mus = order.map { mus[$0] }
        w = order.map { w[$0] }
        let minSigma = width / Double(min(100, points.count + 1))
        var s = [Double](repeating: width, count: mus.count)
        for i in mus.indices {
            let left = i > 0 ? mus[i] - mus[i - 1] : mus[i] - low
            let right = i + 1 < mus.count ? mus[i + 1] - mus[i] : high - mus[i]
            s[i] = min(width, max(minSigma, max(left, right)))
        }
        // The prior component keeps the full width.
        if let p = order.firstIndex(of: points.count) { s[p] = width }
        let total = w.reduce(0, +)
        weights = w.map { $0 / total }
        centres = mus
        sigmas = s
    }

    /// log of the density (intervals) or probability (choices) at an internal coordinate.
    public func logDensity(_ x: Double) -> Double {
        if !probabilities.isEmpty { return Foundation.log(probabilities[min(probabilities.count - 1, max(0, Int(x.rounded())))]) }
        let (low, high) = dimension.bounds
        var p = 0.0
        for i in weights.indices {
            let (mu, s) = (centres[i], sigmas[i])
            let mass = normalCDF((high - mu) / s) - normalCDF((low - mu) / s)
            guard mass > 0 else { continue }
            let z = (x - mu) / s
            p += weights[i] * exp(-0.5 * z * z) / (s * (2 * Double.pi).squareRoot() * mass)
        }
        return Foundation.log(max(p, .leastNonzeroMagnitude))
    }

    /// A draw: a choice by its probability, or a mixture component then its truncated Gaussian.
    public func sample(_ rng: inout SeededRandom) -> Double {
        if !probabilities.isEmpty { return Double(pick(probabilities, rng.uniform())) }
        let (low, high) = dimension.bounds
        let i = pick(weights, rng.uniform())
        for _ in 0..<1000 {
            let x = rng.normal(mean: centres[i], sd: sigmas[i])
            if x >= low && x <= high { return x }
        }
        return min(high, max(low, centres[i]))
    }

    private func pick(_ p: [Double], _ u: Double) -> Int {
        var acc = 0.0
        for (i, q) in p.enumerated() {
            acc += q
            if u < acc { return i }
        }
        return p.count - 1
    }

    private func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
}
