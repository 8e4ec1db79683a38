import XCTest
import PerturbData
@testable import Models

final class MeanModelTests: XCTestCase {
    // Two genes. Controls average (1, 1) in batch b1 and (2, 0) in b2.
    let rows: [[Float]] = [
        [1, 0.5], [1, 1.5], [2, 0], [2, 0],
        [3, 1], [3, 1],  // A in b1: delta (2, 0)
        [1, 2], [1, 2],  // B in b1: delta (0, 1)
        [2, 4],  // B in b2: delta (0, 4)
        [5, 5],
    ]  // A+B in b1: delta (4, 4)
    let labels = ["ctrl", "ctrl", "ctrl", "ctrl", "A", "A", "B", "B", "B", "A+B"]
    let batches = ["b1", "b1", "b2", "b2", "b1", "b1", "b1", "b1", "b2", "b1"]

    func fit(_ name: String) throws -> any ForwardModel {
        var model = try forwardModels.make(name)
        try model.fit(dataset(rows, labels: labels, batches: batches), validation: nil, context: FitContext(seed: 0))
        return model
    }

    func testDeltasAreMatchedToTheContextControls() throws {
        let summary = try ConditionDeltas(dataset(rows, labels: labels, batches: batches))
        XCTAssertEqual(summary.conditions.map(\.description), ["A | b1", "A+B | b1", "B | b1", "B | b2"])
        XCTAssertEqual(summary.deltas.storage, [2, 0, 4, 4, 0, 1, 0, 4])
        let pooled = summary.pooledByPerturbation()
        XCTAssertEqual(pooled.labels, ["A", "A+B", "B"])
        XCTAssertEqual(pooled.deltas.row(2), [0, 2], "B pooled with cell weights 2:1")
    }

    func testMeanBaselines() throws {
        let b1 = Condition(perturbation: "C", batch: "b1"), b2 = Condition(perturbation: "C", batch: "b2")
        XCTAssertEqual(try fit("control-mean").predictDelta(b1), [0, 0])
        // Mean over the three perturbations' pooled deltas: ((2,0) + (4,4) + (0,2)) / 3.
        XCTAssertEqual(try fit("perturbation-mean").predictDelta(b2), [2, 2])
        // Context b1 has A, A+B, B: ((2,0) + (4,4) + (0,1)) / 3; b2 has only B.
        let context = try fit("context-mean")
        XCTAssertEqual(try context.predictDelta(b1), [2, 5.0 / 3])
        XCTAssertEqual(try context.predictDelta(b2), [0, 4])
        XCTAssertEqual(
            try context.predictDelta(Condition(perturbation: "C", batch: "b9")), [1.5, 2.25],
            "unknown batch: the mean of all four training conditions")
    }

    func testAdditiveSumsTheMembersInTheirContext() throws {
        let model = try fit("additive")
        XCTAssertEqual(try model.predictDelta(Condition(perturbation: "A+B", batch: "b1")), [2, 1])
        XCTAssertEqual(try model.predictDelta(Condition(perturbation: "A+B", batch: "b2")), [2, 4], "B measured in b2, A pooled")
        // A member never seen as a single contributes the mean single delta: ((2,0) + (0,2)) / 2 pooled per key.
        let unseen = try model.predictDelta(Condition(perturbation: "A+Z", batch: "b1"))
        XCTAssertEqual(unseen[0], 2 + (2 + 0 + 0) / 3, accuracy: 1e-12)
    }

    func testRidgeAndLinearRecoverSeenDeltasWithASmallPenalty() throws {
        var ridge = try RidgeModel(hyperparameters: Hyperparameters(["lambda": "1e-9"]))
        var linear = try LinearModel(hyperparameters: Hyperparameters(["lambda": "1e-9"]))
        let data = dataset(rows, labels: labels, batches: batches)
        try ridge.fit(data, validation: nil, context: FitContext(seed: 0))
        try linear.fit(data, validation: nil, context: FitContext(seed: 0))
        // Ridge: pooled deltas A (2,0), B (0,2) and A+B (4,4) on multi-hot features [A, B] — least squares.
        let a = try ridge.predictDelta(Condition(perturbation: "A")), ab = try ridge.predictDelta(Condition(perturbation: "A+B"))
        XCTAssertEqual(
            ab[0],
            a[0] + (try ridge.predictDelta(Condition(perturbation: "B")))[0] - (try ridge.predictDelta(Condition(perturbation: "Z")))[0],
            accuracy: 1e-6)
        // Linear has a batch term: B in b2 differs from B in b1 by the batch effect it learned.
        let bb1 = try linear.predictDelta(Condition(perturbation: "B", batch: "b1"))
        let bb2 = try linear.predictDelta(Condition(perturbation: "B", batch: "b2"))
        XCTAssertGreaterThan(bb2[1] - bb1[1], 1, "the b2 context shifts gene 1 up")
    }

    func testRidgeWithAnEmbeddingTableReachesUnseenPerturbations() throws {
        let path = temporaryDirectory("features") + "/features.csv"
        try "gene,d1,d2\nA,1,0\nB,0,1\nC,1,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        var ridge = try RidgeModel(hyperparameters: Hyperparameters(["lambda": "1e-9", "features": path]))
        try ridge.fit(dataset(rows, labels: labels, batches: batches), validation: nil, context: FitContext(seed: 0))
        let c = try ridge.predictDelta(Condition(perturbation: "C"))
        let ab = try ridge.predictDelta(Condition(perturbation: "A+B"))
        for (x, y) in zip(c, ab) { XCTAssertEqual(x, y, accuracy: 1e-9, "C has the features of A+B") }
        try "gene,d1\nA,x\n".write(toFile: path, atomically: true, encoding: .utf8)
        var bad = try RidgeModel(hyperparameters: Hyperparameters(["features": path]))
        XCTAssertThrowsError(try bad.fit(dataset(rows, labels: labels, batches: batches), validation: nil, context: FitContext(seed: 0))) {
            XCTAssertTrue("\($0)".contains(path) && "\($0)".contains("line 2"), "\($0)")
        }
    }
}
