import Support
import XCTest
@testable import LinearAlgebra

final class CSRMatrixTests: XCTestCase {
    // [[1, 0, 2],
    //  [0, 0, 0],
    //  [0, 3, 4]]
    let m = try! CSRMatrix(rows: 3, columns: 3, rowPointers: [0, 2, 2, 4], columnIndices: [0, 2, 1, 2], values: [1, 2, 3, 4])

    func testDenseConversionsAgree() {
        XCTAssertEqual(m.toDense(), Matrix(rowArrays: [[1, 0, 2], [0, 0, 0], [0, 3, 4]]))
        XCTAssertEqual(CSRMatrix(dense: m.toDense()), m)
        XCTAssertEqual(m.denseRow(2), [0, 3, 4])
        XCTAssertEqual(m.density, 4.0 / 9.0, accuracy: 1e-12)
    }

    func testTransposeAndSelections() {
        XCTAssertEqual(m.transposed().toDense(), Matrix(rowArrays: [[1, 0, 0], [0, 0, 3], [2, 0, 4]]))
        XCTAssertEqual(m.transposed().transposed(), m)
        XCTAssertEqual(m.selectingRows([2, 0]).toDense(), Matrix(rowArrays: [[0, 3, 4], [1, 0, 2]]))
        XCTAssertEqual(m.selectingColumns([2, 0]).toDense(), Matrix(rowArrays: [[2, 1], [0, 0], [4, 0]]))
    }

    func testReductionsByHand() {
        XCTAssertEqual(m.rowSums(), [3, 0, 7])
        XCTAssertEqual(m.columnSums(), [1, 3, 6])
        XCTAssertEqual(m.columnMeans(rows: [0, 2]), [0.5, 1.5, 3])
        XCTAssertEqual(m.rowNonZeroCounts(), [2, 0, 2])
        XCTAssertEqual(m.columnNonZeroCounts(), [1, 1, 2])
        let (mean, variance) = m.columnMeanAndVariance(ddof: 1)
        XCTAssertEqual(mean, [1.0 / 3, 1, 2])
        // column 2 holds 2, 0, 4: mean 2, sample variance ((0)² + (2)² + (2)²) / 2 = 4
        XCTAssertEqual(variance[2], 4, accuracy: 1e-12)
        XCTAssertEqual(variance[0], 1.0 / 3, accuracy: 1e-12)
        XCTAssertTrue(m.valueRange()! == (0, 4))
    }

    func testMappingDropsZerosAndScalingRows() {
        let halved = m.scalingRows(by: [0.5, 1, 0])
        XCTAssertEqual(halved.toDense(), Matrix(rowArrays: [[0.5, 0, 1], [0, 0, 0], [0, 0, 0]]))
        XCTAssertEqual(halved.nonZeroCount, 2, "row scaled by zero stores nothing")
        XCTAssertEqual(m.mappingValues { $0 > 2 ? $0 : 0 }.nonZeroCount, 2)
    }

    func testCanonicalizeSortsSumsDuplicatesAndDropsZeros() {
        var messy = CSRMatrix(
            unchecked: 2, columns: 4, rowPointers: [0, 4, 6],
            columnIndices: [3, 1, 3, 0, 2, 1], values: [1, 5, 2, 0, 7, 0])
        messy.canonicalizeRows()
        XCTAssertEqual(messy.rowPointers, [0, 2, 3])
        XCTAssertEqual(messy.columnIndices, [1, 3, 2])
        XCTAssertEqual(messy.values, [5, 3, 7])
    }

    func testValidationNamesTheProblem() {
        XCTAssertThrowsError(try CSRMatrix(rows: 2, columns: 2, rowPointers: [0, 1], columnIndices: [0], values: [1]))
        XCTAssertThrowsError(try CSRMatrix(rows: 1, columns: 2, rowPointers: [0, 1], columnIndices: [5], values: [1])) {
            XCTAssertTrue("\($0)".contains("outside 0..<2"))
        }
    }

    func testBLASProductMatchesHandComputation() {
        let a = Matrix<Double>(rowArrays: [[1, 2, 3], [4, 5, 6]])
        let b = Matrix<Double>(rowArrays: [[7, 8], [9, 10], [11, 12]])
        XCTAssertEqual(a.multiplied(by: b), Matrix(rowArrays: [[58, 64], [139, 154]]))
        XCTAssertEqual(a.multiplied(by: a, transposeOther: true), Matrix(rowArrays: [[14, 32], [32, 77]]))
        let f = Matrix<Float>(rowArrays: [[1, 2], [3, 4]])
        XCTAssertEqual(f.multiplied(by: f, transposeSelf: true), Matrix(rowArrays: [[10, 14], [14, 20]]))
    }

    func testParallelMapIsOrderedAndThreadIndependent() {
        let one = parallelMap(1000, threads: 1) { $0 * $0 }
        let four = parallelMap(1000, threads: 4) { $0 * $0 }
        XCTAssertEqual(one, four)
        XCTAssertEqual(four[999], 998_001)
    }
}
