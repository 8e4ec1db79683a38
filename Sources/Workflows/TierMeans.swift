import Foundation
import Metrics
import Support

/// Per-tier means of a `results.csv`: the mean over the perturbations of each tier of every metric column
/// (missing values skipped, as polars' mean does), plus the tier "all".
enum TierMeans {
    static func compute(resultsPath: String, tiers: [String: String]) throws -> [String: [String: Double]] {
        let table = try CSVTable(contentsOf: resultsPath)
        var sums: [String: [String: (Double, Int)]] = [:]
        for row in table.rows {
            let label = row[0]
            for tier in ["all"] + (tiers[label].map { [$0] } ?? []) {
                for (c, name) in table.header.enumerated().dropFirst() {
                    guard let v = Double(row[c]), !v.isNaN else { continue }
                    let (s, n) = sums[tier]?[name] ?? (0, 0)
                    sums[tier, default: [:]][name] = (s + v, n + 1)
                }
            }
        }
        return sums.mapValues { $0.mapValues { $0.0 / Double($0.1) } }
    }
}
