/// numpy's default (linear) percentile of ascending `sorted` values, with its `_lerp` arithmetic: interpolation
/// from the upper neighbour when the fraction is at least one half, so results match numpy bit for bit.
public func linearPercentile(sorted: [Double], _ q: Double) -> Double {
    precondition(!sorted.isEmpty, "percentile of no values")
    let index = Double(sorted.count - 1) * (q / 100)
    let lower = Int(index.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
    let t = index - Double(lower)
    let a = sorted[lower], b = sorted[upper], d = b - a
    return t >= 0.5 ? b - d * (1 - t) : a + d * t
}

/// The median as numpy computes it (mean of the two middle values for an even count); NaN when `values` is
/// empty or holds a NaN.
public func numpyMedian(_ values: [Double]) -> Double {
    guard !values.isEmpty, !values.contains(where: { $0.isNaN }) else { return .nan }
    let s = values.sorted(), m = s.count / 2
    return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
}
