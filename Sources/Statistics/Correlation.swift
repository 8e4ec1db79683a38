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

/// Cosine similarity of two equal-length vectors; 0 when either is all zeros.
public func cosineSimilarity(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "vectors differ in length")
    var dot = 0.0, na = 0.0, nb = 0.0
    for j in a.indices { dot += a[j] * b[j]; na += a[j] * a[j]; nb += b[j] * b[j] }
    return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
}
