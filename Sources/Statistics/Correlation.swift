/// Pearson correlation of two equal-length samples; NaN when either is constant or shorter than 2.
public func pearson(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "samples differ in length")
    let n = x.count
    guard n >= 2 else { return .nan }
    var mx = 0.0, my = 0.0
    for i in 0..<n { mx += x[i]; my += y[i] }
    mx /= Double(n); my /= Double(n)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in 0..<n {
        let dx = x[i] - mx, dy = y[i] - my
        sxy += dx * dy; sxx += dx * dx; syy += dy * dy
    }
    guard sxx > 0, syy > 0 else { return .nan }
    let r = sxy / (sxx.squareRoot() * syy.squareRoot())
    return min(max(r, -1), 1)
}

/// Spearman correlation: Pearson correlation of average ranks.
public func spearman(_ x: [Double], _ y: [Double]) -> Double {
    pearson(averageRanks(x), averageRanks(y))
}
