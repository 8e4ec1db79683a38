/// Benjamini–Hochberg adjusted p-values, as `scipy.stats.false_discovery_control(ps, method="bh")`:
/// sort, multiply the i-th smallest by m / i, take the running minimum from the largest down, clip to [0, 1].
public func benjaminiHochberg(_ p: [Double]) -> [Double] {
    let m = p.count
    guard m > 1 else { return p }
    let order = p.indices.sorted { p[$0] < p[$1] }
    var adjusted = [Double](repeating: 0, count: m)
    var running = Double.infinity
    for rank in stride(from: m - 1, through: 0, by: -1) {
        let value = p[order[rank]] * (Double(m) / Double(rank + 1))
        running = min(running, value)
        adjusted[order[rank]] = min(max(running, 0), 1)
    }
    return adjusted
}
