import Foundation

/// Information-theoretic agreement of two labelings, as scikit-learn 1.x computes it.
public enum MutualInformation {
    /// `adjusted_mutual_info_score(a, b)` with the arithmetic mean of the entropies as normalizer:
    /// (MI − E[MI]) / (mean(H(a), H(b)) − E[MI]), E[MI] under the hypergeometric model; 1 when both labelings are a
    /// single cluster (or empty).
    public static func adjusted(_ a: [Int], _ b: [Int]) -> Double {
        precondition(a.count == b.count, "labelings of the same items")
        let rowsOf = Dictionary(grouping: a.indices, by: { a[$0] }), columnsOf = Dictionary(grouping: b.indices, by: { b[$0] })
        if (rowsOf.count == 1 && columnsOf.count == 1) || a.isEmpty { return 1 }
        let rowLabels = rowsOf.keys.sorted(), columnLabels = columnsOf.keys.sorted()
        let rowIndex = Dictionary(uniqueKeysWithValues: rowLabels.enumerated().map { ($1, $0) })
        let columnIndex = Dictionary(uniqueKeysWithValues: columnLabels.enumerated().map { ($1, $0) })
        var table = [[Int]](repeating: [Int](repeating: 0, count: columnLabels.count), count: rowLabels.count)
        for i in a.indices { table[rowIndex[a[i]]!][columnIndex[b[i]]!] += 1 }
        let rowSums = table.map { $0.reduce(0, +) }, columnSums = (0..<columnLabels.count).map { j in table.reduce(0) { $0 + $1[j] } }
        let n = a.count
        let mi = mutualInformation(table, rowSums, columnSums, n)
        let emi = expectedMutualInformation(rowSums, columnSums, n)
        let normalizer = (entropy(rowSums) + entropy(columnSums)) / 2
        var denominator = normalizer - emi
        let eps = Double.ulpOfOne
        denominator = denominator < 0 ? min(denominator, -eps) : max(denominator, eps)
        return (mi - emi) / denominator
    }

    /// Mutual information (natural log) of a contingency table, as `mutual_info_score`.
    static func mutualInformation(_ table: [[Int]], _ rowSums: [Int], _ columnSums: [Int], _ n: Int) -> Double {
        guard rowSums.count > 1, columnSums.count > 1 else { return 0 }
        let total = Double(n), logTotal = log(total)
        var mi = 0.0
        for (i, row) in table.enumerated() {
            for (j, count) in row.enumerated() where count > 0 {
                let p = Double(count) / total
                let logOuter = -log(Double(rowSums[i] * columnSums[j])) + logTotal + logTotal
                let term = p * (log(Double(count)) - logTotal) + p * logOuter
                mi += abs(term) < Double.ulpOfOne ? 0 : term
            }
        }
        return max(mi, 0)
    }

    /// Entropy (natural log) of cluster sizes; 0 for a single cluster.
    static func entropy(_ sizes: [Int]) -> Double {
        let positive = sizes.filter { $0 > 0 }.map(Double.init)
        guard positive.count > 1 else { return 0 }
        let total = positive.reduce(0, +), logTotal = log(total)
        return -positive.reduce(0.0) { $0 + ($1 / total) * (log($1) - logTotal) }
    }

    /// E[MI] of two labelings with these cluster sizes under random assignment (hypergeometric), as scikit-learn's
    /// `expected_mutual_information`.
    static func expectedMutualInformation(_ a: [Int], _ b: [Int], _ n: Int) -> Double {
        let total = Double(n), logTotal = log(total)
        let lgTotal = logGamma(total + 1)
        var emi = 0.0
        for ai in a {
            for bj in b {
                let x = Double(ai), y = Double(bj)
                let start = max(1, ai - n + bj), end = min(ai, bj)
                guard start <= end else { continue }
                let fixed = logGamma(x + 1) + logGamma(y + 1) + logGamma(total - x + 1) + logGamma(total - y + 1) - lgTotal
                for nij in start...end {
                    let v = Double(nij)
                    let term2 = logTotal + log(v) - log(x) - log(y)
                    let gln = fixed - logGamma(v + 1) - logGamma(x - v + 1) - logGamma(y - v + 1) - logGamma(total - x - y + v + 1)
                    emi += (v / total) * term2 * exp(gln)
                }
            }
        }
        return emi
    }
}
