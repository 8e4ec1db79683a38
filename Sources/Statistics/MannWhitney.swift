import Foundation

/// The result of a two-sided Mann-Whitney U test.
public struct MannWhitneyResult: Sendable, Equatable {
    /// U of the first sample (the perturbation group).
    public var statistic: Double
    /// Two-sided p-value (normal approximation, tie and continuity corrected), clipped to [0, 1].
    public var pValue: Double

    /// A result from its parts.
    public init(statistic: Double, pValue: Double) {
        self.statistic = statistic
        self.pValue = pValue
    }
}

/// Mann-Whitney U with the asymptotic normal approximation, tie correction Σ(t³ − t) and continuity
/// correction 0.5 — the arithmetic of `scipy.stats.mannwhitneyu(method="asymptotic")` and of pdex 0.3.0's
/// numba kernels, in the same operation order so p-values agree to the last bits.
public enum MannWhitney {
    /// The test from the rank sum `rankSum` of the first sample (n1 values) in the combined ranking with the
    /// second (n2 values), and the tie term Σ(t³ − t) over all tie groups of the combined sample.
    @inline(__always)
    public static func result(rankSum: Double, n1: Int, n2: Int, tieTerm: Double) -> MannWhitneyResult {
        let a = Double(n1)
        let n = n1 + n2
        let u1 = rankSum - a * (a + 1.0) / 2.0
        let u2 = Double(n1 * n2) - u1
        let mu = Double(n1 * n2) / 2.0
        let denom = Double(n) * Double(n - 1)
        let varInner = (Double(n) + 1.0) - tieTerm / denom
        let sSquared = Double(n1 * n2) / 12.0 * varInner
        guard sSquared > 0 else { return MannWhitneyResult(statistic: u1, pValue: 1) }
        let z = (max(u1, u2) - mu - 0.5) / sSquared.squareRoot()
        let p = 0.5 * erfc(z / 2.0.squareRoot()) * 2.0
        return MannWhitneyResult(statistic: u1, pValue: min(max(p, 0), 1))
    }

    /// The test on two plain samples (ranks every value; for small inputs and as the reference for
    /// ``GroupRankSums``).
    public static func test(_ x: [Double], _ y: [Double]) -> MannWhitneyResult {
        let all = x + y
        let order = all.indices.sorted { all[$0] < all[$1] }
        var rankSum = 0.0, tieTerm = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && all[order[j + 1]] == all[order[i]] { j += 1 }
            let rank = Double(i + j) / 2.0 + 1.0
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            for k in i...j where order[k] < x.count { rankSum += rank }
            i = j + 1
        }
        return result(rankSum: rankSum, n1: x.count, n2: y.count, tieTerm: tieTerm)
    }
}
