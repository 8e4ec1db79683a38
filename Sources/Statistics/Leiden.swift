import Foundation
import LinearAlgebra
import Support

/// Leiden community detection (Traag, Waltman & van Eck 2019) with the modularity objective at a resolution γ, as
/// igraph's `community_leiden(objective_function="modularity", n_iterations=2, beta=0.01)` runs it for scanpy's
/// `tl.leiden(flavor="igraph")`: node weights are strengths, γ is divided by their total; each iteration moves
/// nodes in a random order to the neighbouring cluster of largest strictly positive gain (an empty cluster
/// included), refines every cluster by merging well-connected singletons (a random choice weighted by
/// exp(gain/β)), aggregates the refined clusters and repeats until every cluster is one node. Our random numbers
/// are not igraph's: where the optimum is not unique the partition can differ from igraph's.
public enum Leiden {
    /// Cluster labels (0, 1, … by first appearance in node order) of the symmetric weighted graph `weights`.
    public static func cluster(
        _ weights: Matrix<Double>, resolution: Double, iterations: Int = 2, beta: Double = 0.01, seed: UInt64 = 0
    ) -> [Int] {
        let n = weights.rows
        var graph = Graph(n: n)
        for i in 0..<n {
            for j in 0..<n where i != j && weights[i, j] != 0 { graph.neighbors[i].append((j, weights[i, j])) }
            graph.nodeWeights[i] = graph.neighbors[i].reduce(0) { $0 + $1.1 }
        }
        let total = graph.nodeWeights.reduce(0, +)
        guard total > 0 else { return Array(0..<n) }
        let gamma = resolution / total
        var rng = SeededRandom(seed: seed)
        var membership = Array(0..<n)
        for _ in 0..<iterations { membership = iterate(graph, membership, gamma: gamma, beta: beta, rng: &rng) }
        return relabel(membership)
    }

    struct Graph {
        var neighbors: [[(Int, Double)]]
        var nodeWeights: [Double]
        init(n: Int) {
            neighbors = Array(repeating: [], count: n)
            nodeWeights = Array(repeating: 0, count: n)
        }
        var count: Int { nodeWeights.count }
    }

    /// One Leiden iteration from `start` (a partition of the original nodes).
    static func iterate(_ original: Graph, _ start: [Int], gamma: Double, beta: Double, rng: inout SeededRandom) -> [Int] {
        var graph = original
        var membership = relabel(start)  // cluster of each node of `graph`
        var nodeOfOriginal = Array(0..<original.count)  // aggregate node of each original node
        while true {
            moveNodes(graph, &membership, gamma: gamma, rng: &rng)
            let clusters = (membership.max() ?? -1) + 1
            if clusters >= graph.count { break }
            let refined = refine(graph, membership, gamma: gamma, beta: beta, rng: &rng)
            let refinedCount = (refined.max() ?? -1) + 1
            let use = refinedCount >= graph.count ? membership : refined
            // Aggregate: one node per (refined) cluster, in it the parent cluster.
            let groups = (use.max() ?? -1) + 1
            var aggregate = Graph(n: groups)
            var parent = [Int](repeating: 0, count: groups)
            var weightTo = [[Int: Double]](repeating: [:], count: groups)
            for v in 0..<graph.count {
                let a = use[v]
                parent[a] = membership[v]
                aggregate.nodeWeights[a] += graph.nodeWeights[v]
                for (u, w) in graph.neighbors[v] where use[u] != a { weightTo[a][use[u], default: 0] += w }
            }
            for a in 0..<groups { aggregate.neighbors[a] = weightTo[a].keys.sorted().map { ($0, weightTo[a][$0]!) } }
            nodeOfOriginal = nodeOfOriginal.map { use[$0] }
            graph = aggregate
            membership = parent
        }
        return nodeOfOriginal.map { membership[$0] }
    }

    /// Fast local moving: a queue of nodes in random order; each moves to the neighbouring (or an empty) cluster
    /// with the largest strictly positive gain, and its neighbours outside that cluster are queued again.
    static func moveNodes(_ graph: Graph, _ membership: inout [Int], gamma: Double, rng: inout SeededRandom) {
        let n = graph.count
        var clusterWeight = [Double](repeating: 0, count: n), clusterSize = [Int](repeating: 0, count: n)
        for v in 0..<n {
            clusterWeight[membership[v]] += graph.nodeWeights[v]
            clusterSize[membership[v]] += 1
        }
        var empty = (0..<n).filter { clusterSize[$0] == 0 }  // a stack: the largest unused id on top
        var queue = rng.permutation(n), head = 0
        var queued = [Bool](repeating: true, count: n)
        var weightToCluster = [Double](repeating: 0, count: n)
        while head < queue.count {
            let v = queue[head]
            head += 1
            queued[v] = false
            let current = membership[v], nodeWeight = graph.nodeWeights[v]
            clusterWeight[current] -= nodeWeight
            clusterSize[current] -= 1
            if clusterSize[current] == 0 { empty.append(current) }
            var candidates = [empty.last!]
            var seen: Set<Int> = [empty.last!]
            for (u, w) in graph.neighbors[v] {
                let c = membership[u]
                if seen.insert(c).inserted { candidates.append(c) }
                weightToCluster[c] += w
            }
            var best = current
            var bestGain = weightToCluster[current] - nodeWeight * clusterWeight[current] * gamma
            for c in candidates {
                let gain = weightToCluster[c] - nodeWeight * clusterWeight[c] * gamma
                if gain > bestGain { best = c; bestGain = gain }
            }
            for c in candidates { weightToCluster[c] = 0 }
            weightToCluster[current] = 0
            clusterWeight[best] += nodeWeight
            clusterSize[best] += 1
            if best == empty.last { empty.removeLast() }
            if best != current {
                membership[v] = best
                for (u, _) in graph.neighbors[v] where !queued[u] && membership[u] != best {
                    queue.append(u)
                    queued[u] = true
                }
            }
        }
        membership = relabel(membership)
    }

    /// Refinement: within each cluster, singletons that are well connected to the rest of it merge into
    /// well-connected refined clusters, chosen at random with weights exp(gain/β) among non-negative gains.
    static func refine(_ graph: Graph, _ membership: [Int], gamma: Double, beta: Double, rng: inout SeededRandom) -> [Int] {
        let n = graph.count
        var refined = Array(0..<n)
        var clusterWeight = graph.nodeWeights
        var nonSingleton = [Bool](repeating: false, count: n)
        var external = [Double](repeating: 0, count: n)  // weight from each refined cluster to the rest of its cluster
        var totalOfCluster = [Double](repeating: 0, count: n)
        for v in 0..<n {
            totalOfCluster[membership[v]] += graph.nodeWeights[v]
            for (u, w) in graph.neighbors[v] where membership[u] == membership[v] { external[v] += w }
        }
        var weightToCluster = [Double](repeating: 0, count: n)
        let clusters = (membership.max() ?? -1) + 1
        var nodesOf = [[Int]](repeating: [], count: clusters)
        for v in 0..<n { nodesOf[membership[v]].append(v) }
        for c in 0..<clusters {
            let nodes = nodesOf[c], total = totalOfCluster[c]
            for index in rng.permutation(nodes.count) {
                let v = nodes[index]
                let current = refined[v]
                guard !nonSingleton[current], external[current] >= clusterWeight[current] * (total - clusterWeight[current]) * gamma
                else { continue }
                clusterWeight[current] = 0
                external[current] = 0
                var candidates = [current]
                var seen: Set<Int> = [current]
                for (u, w) in graph.neighbors[v] where membership[u] == c {
                    let r = refined[u]
                    if seen.insert(r).inserted { candidates.append(r) }
                    weightToCluster[r] += w
                }
                var best = current, bestGain = 0.0
                var cumulative = [Double](repeating: 0, count: candidates.count), running = 0.0
                let nodeWeight = graph.nodeWeights[v]
                for (i, r) in candidates.enumerated() {
                    if external[r] >= clusterWeight[r] * (total - clusterWeight[r]) * gamma {
                        let gain = weightToCluster[r] - nodeWeight * clusterWeight[r] * gamma
                        if gain > bestGain { best = r; bestGain = gain }
                        if gain >= 0 { running += exp(gain / beta) }
                    }
                    cumulative[i] = running
                }
                var chosen = best
                if running.isFinite && running > 0 {
                    let draw = rng.uniform() * running
                    if let i = cumulative.firstIndex(where: { $0 >= draw }) { chosen = candidates[i] }
                }
                for r in candidates { weightToCluster[r] = 0 }
                clusterWeight[chosen] += nodeWeight
                for (u, w) in graph.neighbors[v] where membership[u] == c {
                    if refined[u] == chosen { external[chosen] -= w } else { external[chosen] += w }
                }
                if chosen != current {
                    refined[v] = chosen
                    nonSingleton[chosen] = true
                }
            }
        }
        return relabel(refined)
    }

    /// Labels renumbered 0, 1, … in order of first appearance.
    static func relabel(_ labels: [Int]) -> [Int] {
        var map: [Int: Int] = [:]
        return labels.map { label in
            if let m = map[label] { return m }
            map[label] = map.count
            return map.count - 1
        }
    }
}
