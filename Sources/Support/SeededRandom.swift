import Foundation

/// A deterministic random number generator (xoshiro256**), seeded through SplitMix64.
///
/// Every random choice in PerturbKit draws from one of these, created from the user's `--seed`, so the
/// same seed gives the same numbers on every machine and thread count.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for `seed`; `stream` derives independent generators from one seed (e.g. one per cell).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = SplitMix64(state: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }

    /// Standard normal (Box–Muller; one value per call, so the sequence is simple to reproduce).
    public mutating func normal() -> Double {
        var u = uniform()
        while u <= 0 { u = uniform() }
        return (-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * uniform())
    }

    /// Normal with the given mean and standard deviation.
    public mutating func normal(mean: Double, sd: Double) -> Double { mean + sd * normal() }

    /// Gamma(shape, scale = 1) by Marsaglia–Tsang (with the boost for shape < 1).
    public mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "gamma shape must be positive")
        if shape < 1 {
            var u = uniform()
            while u <= 0 { u = uniform() }
            return gamma(shape: shape + 1) * Foundation.pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = uniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if u > 0, Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }

    /// Poisson(mean): inversion for small means, Hörmann's PTRS transformed rejection for large ones.
    public mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean < 12 {
            let limit = Foundation.exp(-mean)
            var k = 0
            var p = uniform()
            while p > limit { k += 1; p *= uniform() }
            return k
        }
        let slam = mean.squareRoot(), loglam = Foundation.log(mean)
        let b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b
        let invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = uniform() - 0.5, v = uniform()
            let us = 0.5 - abs(u)
            let k = Foundation.floor((2 * a / us + b) * u + mean + 0.43)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if Foundation.log(v) + Foundation.log(invalpha) - Foundation.log(a / (us * us) + b)
                <= -mean + k * loglam - Foundation.lgamma(k + 1)
            {
                return Int(k)
            }
        }
    }

    /// Negative binomial with the given mean and inverse dispersion θ (variance = μ + μ²/θ), as Gamma–Poisson.
    public mutating func negativeBinomial(mean: Double, theta: Double) -> Int {
        guard mean > 0 else { return 0 }
        return poisson(mean: gamma(shape: theta) * mean / theta)
    }

    /// A uniformly random permutation of `0 ..< n` (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var items = Array(0..<n)
        shuffle(&items)
        return items
    }

    /// Shuffles in place (Fisher–Yates with this generator, so it is reproducible).
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            items.swapAt(i, j)
        }
    }

    /// An integer uniform in 0 ..< n.
    public mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
