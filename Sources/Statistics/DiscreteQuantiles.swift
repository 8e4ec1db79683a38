import Foundation

/// Inverse CDFs of the binomial and Poisson distributions: the smallest j with P(X ≤ j) ≥ u. For a fixed u
/// both are non-decreasing in their parameter (p, λ), which lets a generator driven by fixed uniforms search a
/// parameter by bisection (common random numbers).
public enum DiscreteQuantiles {
    /// Quantile of Binomial(`trials`, `probability`) at `u` ∈ (0, 1).
    public static func binomial(trials n: Int, probability p: Double, u: Double) -> Int {
        if n <= 0 || p <= 0 { return 0 }
        if p >= 1 { return n }
        let logQ = log1p(-p), logP = log(p)
        var pmf = exp(Double(n) * logQ)
        if pmf > 1e-280 {
            var cdf = pmf
            var j = 0
            let ratio = p / (1 - p)
            while cdf < u && j < n {
                pmf *= Double(n - j) / Double(j + 1) * ratio
                j += 1
                cdf += pmf
            }
            return j
        }
        // (1−p)^n underflows: each term from its logarithm.
        let logN = logGamma(Double(n) + 1)
        var cdf = 0.0
        for j in 0...n {
            pmf = exp(logN - logGamma(Double(j) + 1) - logGamma(Double(n - j) + 1) + Double(j) * logP + Double(n - j) * logQ)
            cdf += pmf
            if cdf >= u { return j }
        }
        return n
    }

    /// Quantile of Poisson(`mean`) at `u` ∈ (0, 1).
    public static func poisson(mean lambda: Double, u: Double) -> Int {
        if lambda <= 0 { return 0 }
        let cap = Int(lambda + 40 * lambda.squareRoot() + 40)
        if lambda < 600 {
            var pmf = exp(-lambda), cdf = pmf
            var j = 0
            while cdf < u && j < cap {
                j += 1
                pmf *= lambda / Double(j)
                cdf += pmf
            }
            return j
        }
        let logLambda = log(lambda)
        var cdf = 0.0
        for j in 0...cap {
            cdf += exp(-lambda + Double(j) * logLambda - logGamma(Double(j) + 1))
            if cdf >= u { return j }
        }
        return cap
    }
}

/// log Γ(x) in double precision (a named function: `lgamma` alone is ambiguous next to Foundation's overloads).
func logGamma(_ x: Double) -> Double {
    let value: Double = Foundation.lgamma(x)
    return value
}
