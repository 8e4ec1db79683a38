/// Welch's t statistic of group versus reference from means, unbiased variances (ddof 1) and sizes, as scanpy's
/// `rank_genes_groups(method="t-test")` scores: (μ₁ − μ₂) / √(σ₁²/n₁ + σ₂²/n₂), with NaN (zero variance in
/// both) reported as 0.
public func welchT(
    mean1: Double, variance1: Double, count1: Int, mean2: Double, variance2: Double,
    count2: Int
) -> Double {
    let denominator = (variance1 / Double(count1) + variance2 / Double(count2)).squareRoot()
    let t = (mean1 - mean2) / denominator
    return t.isNaN ? 0 : t
}
