import XCTest
@testable import LinearAlgebra

final class VectorScanTests: XCTestCase {
    func scan<T>(_ values: [Float], _ body: (UnsafeBufferPointer<Float>) -> T) -> T { values.withUnsafeBufferPointer(body) }

    func testMinMaxIncludingTailsAndNegatives() {
        XCTAssertNil(scan([], VectorScan.minMax))
        XCTAssertTrue(scan([3], VectorScan.minMax)! == (3, 3))
        // 8 lanes + 3 tail elements; the extremes sit in the tail and in lane 5.
        let values: [Float] = [1, 2, 3, 4, 5, -7.5, 6, 7, 8, 9, 42]
        XCTAssertTrue(scan(values, VectorScan.minMax)! == (-7.5, 42))
    }

    func testZeroDetectionAcrossBlocks() {
        var values = [Float](repeating: 1, count: 10_000)
        XCTAssertFalse(scan(values, VectorScan.containsZero))
        values[9_999] = 0  // in the last, partial block
        XCTAssertTrue(scan(values, VectorScan.containsZero))
        values[9_999] = -0.0
        XCTAssertTrue(scan(values, VectorScan.containsZero), "negative zero is zero")
    }

    func testFractionFollowsModf() {
        XCTAssertFalse(scan([0, 1, 2, 1_000_000, 3e9, -4], { VectorScan.containsFraction($0, epsilon: 1e-3) }))
        XCTAssertFalse(scan([2.0005], { VectorScan.containsFraction($0, epsilon: 1e-3) }), "fraction 0.0005 ≤ ε")
        XCTAssertTrue(scan([2.9995], { VectorScan.containsFraction($0, epsilon: 1e-3) }), "modf fraction 0.9995 > ε")
        XCTAssertTrue(scan([0.5], { VectorScan.containsFraction($0, epsilon: 1e-3) }))
        XCTAssertTrue(scan([-1.25], { VectorScan.containsFraction($0, epsilon: 1e-3) }), "magnitude's fraction")
        var many = [Float](repeating: 5, count: 9_000)
        many[8_999] = 5.5
        XCTAssertTrue(scan(many, { VectorScan.containsFraction($0, epsilon: 1e-3) }))
    }
}
