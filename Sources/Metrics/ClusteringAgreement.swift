import LinearAlgebra
import Statistics

/// cell-eval 0.8.2's `clustering_agreement` (global): the perturbation centroids (mean expression, the control
/// left out) of each side are clustered — scanpy's kNN graph (`n_neighbors` = min(15, P − 1), UMAP weights) and
/// Leiden (igraph flavour, 2 iterations) — the real ones at resolution 1, the predicted ones at 0.2, 0.4, 0.6,
/// 0.8, 1, 1.5 and 2; the value is the best adjusted mutual information between the real and a predicted
/// clustering (at least 0). Leiden's random order is our own, not igraph's (see `Leiden`).
enum ClusteringAgreement {
    static let realResolution = 1.0
    static let predResolutions = [0.2, 0.4, 0.6, 0.8, 1.0, 1.5, 2.0]
    static let neighbors = 15

    static func compute(_ pair: EvaluationPair) throws -> Double {
        guard let real = pair.real.centroids, let pred = pair.pred.centroids else {
            throw EvaluationError.metricFailed(metric: "clustering_agreement", reason: "centroids were not computed")
        }
        let perturbations = pair.perturbations
        guard perturbations.count >= 2 else { return .nan }
        func matrix(_ centroids: [String: [Double]]) -> Matrix<Double> {
            Matrix(rows: perturbations.count, columns: pair.genes.count, storage: perturbations.flatMap { centroids[$0]! })
        }
        let k = min(neighbors, perturbations.count - 1)
        let realLabels = Leiden.cluster(FuzzyNeighborGraph(points: matrix(real), neighbors: k).weights, resolution: realResolution)
        let predGraph = FuzzyNeighborGraph(points: matrix(pred), neighbors: k).weights
        var best = 0.0
        for resolution in predResolutions {
            best = max(best, MutualInformation.adjusted(realLabels, Leiden.cluster(predGraph, resolution: resolution)))
        }
        return best
    }
}
