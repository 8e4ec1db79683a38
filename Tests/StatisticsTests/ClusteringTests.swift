import LinearAlgebra
import XCTest

@testable import Statistics

/// The pieces of `clustering_agreement`: UMAP's fuzzy kNN graph, Leiden, and adjusted mutual information.
final class ClusteringTests: XCTestCase {
    func testAdjustedMutualInformationAgainstScikitLearn() {
        // scikit-learn 1.9.1 `adjusted_mutual_info_score` on the same labelings.
        XCTAssertEqual(MutualInformation.adjusted([0, 0, 1, 1], [0, 1, 0, 1]), -0.49999999999999944, accuracy: 1e-12)
        XCTAssertEqual(MutualInformation.adjusted([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 1]), 0.6153846153846159, accuracy: 1e-12)
        XCTAssertEqual(
            MutualInformation.adjusted([0, 0, 0, 1, 1, 1, 2, 2], [1, 1, 0, 0, 2, 2, 2, 2]), 0.2745416497368333, accuracy: 1e-12)
        XCTAssertEqual(MutualInformation.adjusted([0, 0, 0], [0, 1, 2]), 0, accuracy: 1e-12)
        // Relabeling changes nothing; one cluster on both sides is a perfect match.
        XCTAssertEqual(MutualInformation.adjusted([3, 3, 7, 7], [1, 1, 0, 0]), 1, accuracy: 1e-12)
        XCTAssertEqual(MutualInformation.adjusted([5, 5, 5], [2, 2, 2]), 1)
    }

    func testFuzzyGraphGivesEachPointsNearestNeighbourFullWeight() {
        // Points 0, 1, 3, 7 on a line, 3 neighbours (self included): ρ_i is the distance to the nearest other point,
        // so that neighbour's strength is exp(0) = 1, and the fuzzy union keeps it at 1.
        let points = Matrix<Double>(rows: 4, columns: 1, storage: [0, 1, 3, 7])
        let w = FuzzyNeighborGraph(points: points, neighbors: 3).weights
        for i in 0..<4 {
            XCTAssertEqual(w[i, i], 0)
            for j in 0..<4 {
                XCTAssertEqual(w[i, j], w[j, i], accuracy: 1e-7)
                XCTAssertTrue((0...1).contains(w[i, j]))
            }
        }
        // a + b − ab with a = 1 is 1 up to float32 rounding.
        XCTAssertEqual(w[0, 1], 1, accuracy: 1e-6)
        XCTAssertEqual(w[2, 1], 1, accuracy: 1e-6)
        XCTAssertEqual(w[3, 2], 1, accuracy: 1e-6)
        XCTAssertEqual(w[0, 3], 0, "7 is not among 0's two nearest, nor 0 among 7's")
    }

    func testLeidenSeparatesTwoCliquesAndMergesAtLowResolution() {
        // Two 4-cliques of weight 1 joined by one edge of weight 0.1.
        var w = Matrix<Double>(rows: 8, columns: 8)
        for block in [0, 4] {
            for i in block..<(block + 4) { for j in block..<(block + 4) where i != j { w[i, j] = 1 } }
        }
        w[3, 4] = 0.1
        w[4, 3] = 0.1
        let labels = Leiden.cluster(w, resolution: 1)
        XCTAssertEqual(labels, [0, 0, 0, 0, 1, 1, 1, 1])
        XCTAssertEqual(Leiden.cluster(w, resolution: 1, seed: 9), labels, "the optimum does not depend on the order")
        XCTAssertEqual(Set(Leiden.cluster(w, resolution: 0.01)).count, 1, "a low resolution merges them")
        XCTAssertEqual(Set(Leiden.cluster(w, resolution: 50)).count, 8, "a high resolution splits every node")
    }
}
