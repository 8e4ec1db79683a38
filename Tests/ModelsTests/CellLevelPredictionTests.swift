import XCTest
import PerturbData
@testable import Models

final class CellLevelPredictionTests: XCTestCase {
    func testPredictedCellsAreMatchedControlsShiftedAndClipped() throws {
        let rows: [[Float]] = [[1, 0.5], [1, 1.5], [5, 0], [5, 0], [3, 0], [3, 0]]
        let data = dataset(rows, labels: ["ctrl", "ctrl", "ctrl", "ctrl", "A", "A"], batches: ["b1", "b1", "b2", "b2", "b1", "b1"])
        var model = try forwardModels.make("perturbation-mean")
        try model.fit(data, validation: nil, context: FitContext(seed: 0))  // A − b1 controls = (3, 0) − (1, 1) = (2, −1)
        let out = try model.predict(controls: data, conditions: [Condition(perturbation: "X", batch: "b1"): 3], seed: 7, cells: .shift)
        XCTAssertEqual(out.cellCount, 3 + 4)
        XCTAssertEqual(out.perturbations, ["X", "X", "X", "ctrl", "ctrl", "ctrl", "ctrl"])
        XCTAssertEqual(out.batches!, ["b1", "b1", "b1", "b1", "b1", "b2", "b2"])
        let dense = out.expression.toDense()
        for r in 0..<3 {
            XCTAssertEqual(dense[r, 0], 3, "a b1 control (1) plus 2 — never a b2 control")
            XCTAssertTrue([0, 0.5].contains(dense[r, 1]), "0.5 − 1 clipped at 0, or 1.5 − 1")
        }
        XCTAssertEqual(out.expression.values.filter { $0 == 0 }.count, 0, "no explicit zeros stored")
        XCTAssertEqual(Array(dense.storage[6...]), [1, 0.5, 1, 1.5, 5, 0, 5, 0], "controls appended unchanged")
        let again = try model.predict(controls: data, conditions: [Condition(perturbation: "X", batch: "b1"): 3], seed: 7, cells: .shift)
        XCTAssertEqual(again.expression, out.expression, "same seed, same cells")
    }
}

final class CellMeanModelTests: XCTestCase {
    func testEveryPredictedCellIsTheMeanOfTheLabelMeans() throws {
        // Label means: ctrl (1, 0.5), A (3, 0) → profile (2, 0.25) for every cell of every perturbation, as
        // cell-eval's baseline; the delta is the profile minus the control mean: (1, −0.25).
        let data = dataset([[1, 0], [1, 1], [3, 0], [3, 0]], labels: ["ctrl", "ctrl", "A", "A"])
        var model = try forwardModels.make("cell-mean")
        try model.fit(data, validation: nil, context: FitContext(seed: 0))
        XCTAssertEqual(try model.predictDelta(Condition(perturbation: "B")), [1, -0.25])
        let out = try model.predict(controls: data, conditions: [Condition(perturbation: "B"): 3], seed: 1)
        let dense = out.expression.toDense()
        for r in 0..<3 { XCTAssertEqual([dense[r, 0], dense[r, 1]], [2, 0.25]) }
        XCTAssertEqual(Array(dense.storage[6...]), [1, 0, 1, 1], "controls appended unchanged")
    }
}
