import LinearAlgebra
import XCTest

/// Randomized PCA on data whose principal axes are known by hand.
final class PCATests: XCTestCase {
    /// Points (±2, 0, 0) and (0, ±1, 0): mean 0; variance 8/3 along x, 2/3 along y, none along z.
    private let plane = try! CSRMatrix(
        rows: 4, columns: 3, rowPointers: [0, 1, 2, 3, 4], columnIndices: [0, 0, 1, 1],
        values: [2, -2, 1, -1])

    func testAxesAndVariancesOfAKnownPlane() {
        let pca = PCA.fit(plane, rows: [0, 1, 2, 3], components: 2, seed: 7)
        XCTAssertEqual(pca.mean, [0, 0, 0])
        XCTAssertEqual(pca.variances[0], 8.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(pca.variances[1], 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(abs(pca.components[0, 0]), 1, accuracy: 1e-12)
        XCTAssertEqual(abs(pca.components[1, 1]), 1, accuracy: 1e-12)
        XCTAssertEqual(pca.components[0, 2], 0, accuracy: 1e-12)
    }

    /// When the axes span the data, distances between projected rows equal the original distances.
    func testProjectionKeepsDistancesInsideTheSpan() {
        let pca = PCA.fit(plane, rows: [0, 1, 2, 3], components: 2, seed: 1)
        let z = pca.transform(plane, rows: [0, 1, 2, 3])
        func distance(_ i: Int, _ j: Int) -> Double {
            (0..<2).reduce(0.0) { $0 + (z[i, $1] - z[j, $1]) * (z[i, $1] - z[j, $1]) }.squareRoot()
        }
        XCTAssertEqual(distance(0, 1), 4, accuracy: 1e-12)  // (2,0,0) – (−2,0,0)
        XCTAssertEqual(distance(0, 2), 5.0.squareRoot(), accuracy: 1e-12)  // (2,0,0) – (0,1,0)
    }

    func testSameSeedSameAxes() {
        let a = PCA.fit(plane, rows: [0, 1, 2, 3], components: 2, seed: 3)
        let b = PCA.fit(plane, rows: [0, 1, 2, 3], components: 2, seed: 3)
        XCTAssertEqual(a.components, b.components)
    }
}
