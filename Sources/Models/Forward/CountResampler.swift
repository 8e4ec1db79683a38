import Foundation
import LinearAlgebra
import PerturbData
import Statistics
import Support

/// Predicted cells from a predicted mean, made in count space so that they look like cells.
///
/// Each predicted cell starts from the counts of a matched control cell (`RecoveredCounts`). Per gene one scale θ
/// is chosen: θ < 0 thins every count binomially with keep-probability 1 + θ; θ > 0 adds Poisson counts of mean
/// θ normalized units per cell (θ / size factor counts, so deeper cells get more counts and the same normalized
/// amount); θ = 0 keeps the control counts. The cell's value is log1p(count × size factor): the size factor of
/// its control cell is kept, since a few hundred genes barely change a cell's full library size.
///
/// θ is found by bisection so that the mean of the generated log1p values is as close as the discrete counts
/// allow to the target: the mean of the source cells plus the predicted delta, clipped at 0. The search stops as
/// soon as the bracket holds a single jump of the (step-function) mean, so it ends with the same choice as an
/// exhaustive one, and is skipped when the target is nearer to the control mean than half the smallest jump. Every draw is the
/// quantile of one uniform fixed per (seed, condition, cell, gene), so the mean is non-decreasing in θ and the
/// same seed gives the same cells.
public struct CountResampler: Sendable {
    /// Counts and size factors of the control cells.
    public let recovered: RecoveredCounts
    /// The seed of every uniform.
    public let seed: UInt64
    /// Bisection steps per gene.
    public static let steps = 40

    public init(recovered: RecoveredCounts, seed: UInt64) {
        var factors = recovered.sizeFactors
        let positive = factors.filter { $0 > 0 }.sorted()
        let median = positive.isEmpty ? 1 : positive[positive.count / 2]
        for i in factors.indices where factors[i] <= 0 { factors[i] = median }
        self.recovered = RecoveredCounts(counts: recovered.counts, sizeFactors: factors)
        self.seed = seed
    }

    /// Generated log1p values (`sources.count` × genes, row-major) for one condition. `sources` are rows of
    /// `recovered` (a control cell may repeat); `delta` is the predicted delta per gene; `key` identifies the
    /// condition in the uniforms. `responses` (one per source cell, ≥ 0, mean 1; nil: all 1) says how strongly
    /// each cell responds: cell k gets the scale θ·responses[k] (a thinning keep-probability of at least 0), so a set
    /// model's partial response — some cells moved, others not — survives while the mean still meets the target.
    public func generate(
        sources: [Int], delta: [Double], key: UInt64, responses: [Double]? = nil, threads: Int = defaultThreadCount()
    ) -> [Float] {
        let genes = recovered.counts.columns, n = sources.count
        guard n > 0 else { return [] }
        precondition(responses.map { $0.count == n && $0.allSatisfy { $0 >= 0 && $0.isFinite } } ?? true, "a response per cell")
        let dense = recovered.counts.selectingRows(sources).toDense()
        let factors = sources.map { recovered.sizeFactors[$0] }
        // The smallest positive response, once per condition: it sets the strongest decrease of every gene.
        let weakest = responses.flatMap { $0.filter { $0 > 0 }.min() } ?? 1
        let columns = parallelMap(genes, threads: threads) { g -> [Float] in
            let counts = (0..<n).map { Int(dense[$0, g]) }
            return column(
                counts: counts, factors: factors, delta: delta[g], key: key, gene: UInt64(g), responses: responses,
                weakestResponse: weakest)
        }
        var out = [Float](repeating: 0, count: n * genes)
        for g in 0..<genes { for k in 0..<n { out[k * genes + g] = columns[g][k] } }
        return out
    }

    /// One gene's generated values for the source cells (`responses`: each cell's share of the scale, nil: 1;
    /// `weakestResponse`: the smallest positive one).
    func column(
        counts: [Int], factors: [Double], delta: Double, key: UInt64, gene: UInt64, responses: [Double]? = nil,
        weakestResponse: Double = 1
    ) -> [Float] {
        let n = counts.count
        func weight(_ k: Int) -> Double { responses?[k] ?? 1 }
        // Each cell's value and last jump at its own count (most cells keep their count at a small θ).
        let baseValue = (0..<n).map { log1p(Double(counts[$0]) * factors[$0]) }
        let downJump = (0..<n).map { k in
            counts[k] >= 1 ? baseValue[k] - log1p(Double(counts[k] - 1) * factors[k]) : Double.infinity
        }
        let base = baseValue.reduce(0, +) / Double(n)
        let target = max(0, base + delta)
        // The smallest change any θ can make is one cell moving by one count: when the target is nearer than half
        // of it, θ = 0 is already the closest achievable mean (this skips the search for most genes of a model
        // that predicts small changes everywhere).
        var smallestUp = Double.infinity, smallestDown = Double.infinity
        for k in 0..<n where weight(k) > 0 {
            smallestUp = min(smallestUp, log1p(Double(counts[k] + 1) * factors[k]) - baseValue[k])
            smallestDown = min(smallestDown, downJump[k])
        }
        let gap = target - base
        guard gap > smallestUp / Double(2 * n) || -gap > smallestDown / Double(2 * n) else { return baseValue.map { Float($0) } }
        let uniforms = (0..<n).map { Self.uniform(seed, key, UInt64($0), gene) }
        // Fast paths of the two quantiles: Poisson(λ) is 0 while λ ≤ −log u; Binomial(c, p) is c while
        // c·log p > log(1 − u).
        let poissonZeroUpTo = uniforms.map { -log($0) }, binomialKeepsAbove = uniforms.map { log1p(-$0) }
        func draw(_ scale: Double, _ k: Int) -> Int {
            let theta = max(-1, scale * weight(k))
            if theta < 0 {
                if counts[k] == 0 || Double(counts[k]) * log1p(theta) > binomialKeepsAbove[k] { return counts[k] }
                return DiscreteQuantiles.binomial(trials: counts[k], probability: 1 + theta, u: uniforms[k])
            }
            if theta > 0 {
                let lambda = theta / factors[k]
                if lambda <= poissonZeroUpTo[k] { return counts[k] }
                return counts[k] + DiscreteQuantiles.poisson(mean: lambda, u: uniforms[k])
            }
            return counts[k]
        }
        // The mean at θ, and a lower bound on any single jump of the mean below θ's counts: the last step of each
        // cell's count, (log1p(J·s) − log1p((J − 1)·s)) / n, is the smallest it has taken.
        func mean(_ theta: Double) -> (value: Double, smallestJump: Double) {
            var total = 0.0, smallest = Double.infinity
            for k in 0..<n {
                let j = draw(theta, k)
                if j == counts[k] {
                    total += baseValue[k]
                    smallest = min(smallest, downJump[k])
                    continue
                }
                let s = factors[k], value = log1p(Double(j) * s)
                total += value
                if j >= 1 { smallest = min(smallest, value - log1p(Double(j - 1) * s)) }
            }
            return (total / Double(n), smallest / Double(n))
        }
        // Bracket [lo, hi] with mean(lo) < target ≤ mean(hi), then bisect until the bracket holds one jump of the
        // mean (its rise is below two of the smallest possible jumps) or the steps run out.
        var lo: Double, hi: Double, meanLo: Double, meanHi: Double, jumpHi: Double
        if target > base {
            lo = 0; meanLo = base
            hi = max(1e-3, expm1(target) - expm1(base)); (meanHi, jumpHi) = mean(hi)
            var doublings = 0
            while meanHi < target && doublings < 60 { lo = hi; meanLo = meanHi; hi *= 2; (meanHi, jumpHi) = mean(hi); doublings += 1 }
        } else {
            // The strongest decrease: every responding cell loses all its counts.
            lo = -1 / weakestResponse; meanLo = mean(lo).value
            hi = 0; (meanHi, jumpHi) = mean(0)
        }
        if meanLo >= target { hi = lo; meanHi = meanLo }
        for _ in 0..<Self.steps where meanLo < target && meanHi >= target && meanHi - meanLo >= 2 * jumpHi {
            let mid = (lo + hi) / 2
            let (m, jump) = mean(mid)
            if m < target { lo = mid; meanLo = m } else { hi = mid; meanHi = m; jumpHi = jump }
        }
        let theta = abs(meanLo - target) < abs(meanHi - target) ? lo : hi
        return (0..<n).map { k in
            let j = draw(theta, k)
            return Float(j == counts[k] ? baseValue[k] : log1p(Double(j) * factors[k]))
        }
    }

    /// A uniform in (0, 1) fixed by four keys (a counter-based draw: SplitMix64 of the mixed keys).
    static func uniform(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> Double {
        var mix = SplitMix64(state: a)
        mix.state ^= b &* 0x9E37_79B9_7F4A_7C15
        _ = mix.next()
        mix.state ^= c &* 0xC2B2_AE3D_27D4_EB4F
        _ = mix.next()
        mix.state ^= d &* 0x1656_67B1_9E37_79F9
        return (Double(mix.next() >> 11) + 0.5) * 0x1p-53
    }

    /// A stable 64-bit key of a condition (FNV-1a of its description), so a condition's cells do not depend on
    /// which other conditions are predicted with it.
    public static func key(_ condition: Condition) -> UInt64 {
        stableHash("\(condition.perturbation)|\(condition.cellType ?? "")|\(condition.batch ?? "")")
    }
}
