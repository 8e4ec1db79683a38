import Foundation

/// The retrieval metrics of one ranked query (docs/DESIGN.md §5.4): MRR contribution and, per K, Exact Hit@K,
/// Relevant Hit@K, Recall@K and NDCG@K.
public struct RetrievalOutcome: Sendable, Equatable {
    /// max over true targets of 1/rank (its expectation when ranks are tied).
    public var reciprocalRank: Double
    /// Expected rank of the best-placed true target (1 is first).
    public var bestRank: Double
    /// 1[G* ⊆ top K] for each K of `RetrievalMetrics.cutoffs`.
    public var exactHit: [Double]
    /// 1[G* ∩ top K ≠ ∅].
    public var relevantHit: [Double]
    /// |G* ∩ top K| / |G*|.
    public var recall: [Double]
    /// NDCG@K with binary relevance: Σ over true targets ranked r ≤ K of 1/log2(r + 1), divided by the same sum
    /// for the ideal ranking (the min(|G*|, K) targets first).
    public var ndcg: [Double]

    /// The element-wise mean of `outcomes` (all with the same cutoffs; at least one).
    public static func mean(of outcomes: [RetrievalOutcome]) -> RetrievalOutcome {
        let n = Double(outcomes.count)
        func mean(_ values: [[Double]]) -> [Double] {
            (0..<(values.first?.count ?? 0)).map { k in values.reduce(0) { $0 + $1[k] } / n }
        }
        return RetrievalOutcome(
            reciprocalRank: outcomes.reduce(0) { $0 + $1.reciprocalRank } / n,
            bestRank: outcomes.reduce(0) { $0 + $1.bestRank } / n,
            exactHit: mean(outcomes.map(\.exactHit)), relevantHit: mean(outcomes.map(\.relevantHit)),
            recall: mean(outcomes.map(\.recall)), ndcg: mean(outcomes.map(\.ndcg)))
    }
}

/// MRR, Exact/Relevant Hit@K, Recall@K and NDCG@K for rankings of candidate genes.
///
/// Ties are scored exactly by their expectation under uniformly random tie-breaking, so a model that scores
/// every candidate alike gets the random-ranking expectation and never profits from an arbitrary order.
/// Candidates in `universe` the model gives no score rank tied below every scored one; a true target outside
/// the universe can never be retrieved.
public enum RetrievalMetrics {
    /// The cutoffs K reported (docs/DESIGN.md §5.4).
    public static let cutoffs = [1, 5, 10, 20, 40]

    /// The outcome of ranking `universe` by `scores` (higher is better) for a query whose true targets are `targets`.
    public static func evaluate(
        scores: [String: Double], targets: Set<String>, universe: [String],
        cutoffs: [Int] = cutoffs
    ) -> RetrievalOutcome {
        precondition(!targets.isEmpty, "a query needs at least one true target")
        let candidates = Array(Set(universe))
        var byScore: [Double: (size: Int, hits: Int)] = [:]
        for gene in candidates {
            let s = scores[gene].map { $0.isNaN ? -Double.infinity : $0 } ?? -Double.infinity
            let hit = targets.contains(gene) ? 1 : 0
            byScore[s, default: (0, 0)].size += 1
            byScore[s, default: (0, 0)].hits += hit
        }
        let blocks = byScore.sorted { $0.key > $1.key }.map { $0.value }
        return outcome(blocks: blocks, targetCount: targets.count, cutoffs: cutoffs)
    }

    /// The expectation for a uniformly random ranking of `universeSize` candidates holding `targetCount` targets.
    public static func random(targetCount: Int, universeSize: Int, cutoffs: [Int] = cutoffs) -> RetrievalOutcome {
        outcome(blocks: [(universeSize, min(targetCount, universeSize))], targetCount: targetCount, cutoffs: cutoffs)
    }

    /// Tie blocks in rank order, each with its size and the number of true targets in it.
    static func outcome(blocks: [(size: Int, hits: Int)], targetCount: Int, cutoffs: [Int]) -> RetrievalOutcome {
        var result = RetrievalOutcome(reciprocalRank: 0, bestRank: .infinity, exactHit: [], relevantHit: [], recall: [], ndcg: [])
        var start = 1
        for block in blocks {
            if block.hits > 0 {
                let t = block.size, m = block.hits
                var expectedInverse = 0.0, expectedOffset = 0.0
                for i in 0...(t - m) {
                    let p = exp(logChoose(t - 1 - i, m - 1) - logChoose(t, m))
                    expectedInverse += p / Double(start + i)
                    expectedOffset += p * Double(i)
                }
                result.reciprocalRank = expectedInverse
                result.bestRank = Double(start) + expectedOffset
                break
            }
            start += block.size
        }
        let found = blocks.reduce(0) { $0 + $1.hits }
        for k in cutoffs {
            var expected = 0.0, allIn = found == targetCount ? 1.0 : 0.0, noneIn = 1.0
            var begin = 1
            for block in blocks {
                let end = begin + block.size - 1, m = block.hits
                if end <= k {
                    expected += Double(m)
                    if m > 0 { noneIn = 0 }
                } else if begin > k {
                    if m > 0 { allIn = 0 }
                } else if m > 0 {
                    let q = k - begin + 1, t = block.size
                    expected += Double(m) * Double(q) / Double(t)
                    allIn *= q < m ? 0 : exp(logChoose(t - m, q - m) - logChoose(t, q))
                    noneIn *= t - m < q ? 0 : exp(logChoose(t - m, q) - logChoose(t, q))
                }
                begin = end + 1
            }
            result.exactHit.append(allIn)
            result.relevantHit.append(1 - noneIn)
            result.recall.append(expected / Double(targetCount))
            // Each position of a tie block holds a target with probability hits/size.
            var dcg = 0.0
            begin = 1
            for block in blocks where begin <= k {
                if block.hits > 0 {
                    for r in begin...min(begin + block.size - 1, k) {
                        dcg += Double(block.hits) / Double(block.size) / log2(Double(r + 1))
                    }
                }
                begin += block.size
            }
            let ideal = (1...max(1, min(targetCount, k))).reduce(0.0) { $0 + 1 / log2(Double($1 + 1)) }
            result.ndcg.append(dcg / ideal)
        }
        return result
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return -.infinity }
        return lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }
}
