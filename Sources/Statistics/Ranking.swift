/// Average ranks (1-based; ties share the mean of their positions), as `scipy.stats.rankdata(method="average")`.
/// NaN ranks above every number.
public func averageRanks(_ x: [Double]) -> [Double] {
    let order = x.indices.sorted { lessNaNLast(x[$0], x[$1]) }
    var ranks = [Double](repeating: 0, count: x.count)
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && sameValue(x[order[j + 1]], x[order[i]]) { j += 1 }
        let rank = Double(i + j) / 2.0 + 1.0
        for k in i...j { ranks[order[k]] = rank }
        i = j + 1
    }
    return ranks
}

/// Strict order on doubles with NaN after every number.
@inline(__always)
func lessNaNLast(_ a: Double, _ b: Double) -> Bool {
    if a.isNaN { return false }
    if b.isNaN { return true }
    return a < b
}

@inline(__always)
func sameValue(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
