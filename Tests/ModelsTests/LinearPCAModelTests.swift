import XCTest
import PerturbData
@testable import Models

final class LinearPCAModelTests: XCTestCase {
    /// Four genes; two control cells and two cells each of A (target g0), B (target g2) and D (target g3).
    /// Expected values from the closed form of docs/DESIGN.md §6 written out with numpy:
    ///   X = [mean A, mean B, mean D, mean ctrl] (genes × 4), Xc = X − column means, U S Vᵀ = svd(Xc),
    ///   G = U[:, :2]·S[:2], Y = means − ctrl, b = rowmean(Y), Ỹ = Y − b, P = G[[0, 2, 3]]ᵀ,
    ///   W = solve(GᵀG + 0.1 I, Gᵀ Ỹ Pᵀ) · inv(PPᵀ + 0.1 I), prediction(t) = b + G W G[t].
    func testClosedFormMatchesTheHandComputedExample() throws {
        let rows: [[Float]] = [
            [1, 2, 0.5, 1.5], [3, 2, 1.5, 0.5],
            [0, 3, 1, 2], [0.5, 4, 2, 1],
            [2.5, 1, 0, 3], [1.5, 2, 0.25, 2],
            [2, 2.5, 2, 0], [2, 3.5, 3, 0.5],
        ]
        let labels = ["ctrl", "ctrl", "g0", "g0", "g2", "g2", "g3", "g3"]
        var model = try LinearPCAModel(hyperparameters: Hyperparameters(["k": "2", "lambda": "0.1"]))
        try model.fit(dataset(rows, labels: labels), validation: nil, context: FitContext(seed: 0))
        let unseen = try model.predictDelta(Condition(perturbation: "g1"))
        let expectedUnseen = [0.03688967, -0.35447388, 0.41109087, 0.78149335]
        for (a, e) in zip(unseen, expectedUnseen) { XCTAssertEqual(a, e, accuracy: 1e-7) }
        let seen = try model.predictDelta(Condition(perturbation: "g0"))
        let expectedSeen = [-0.96046648, 1.23596155, 0.19176916, 0.40773576]
        for (a, e) in zip(seen, expectedSeen) { XCTAssertEqual(a, e, accuracy: 1e-7) }
        // A target outside the gene set has a zero embedding: the prediction is the mean delta b.
        let outside = try model.predictDelta(Condition(perturbation: "NOTAGENE"))
        for (a, e) in zip(outside, [-0.58333333, 0.66666667, 0.375, 0.41666667]) { XCTAssertEqual(a, e, accuracy: 1e-7) }
    }

    func testUnfittedAndBadHyperparametersAreErrors() throws {
        XCTAssertThrowsError(try LinearPCAModel(hyperparameters: Hyperparameters()).predictDelta(Condition(perturbation: "g0"))) {
            XCTAssertEqual($0 as? ModelError, .notFitted(model: "linear-pca"))
        }
        XCTAssertThrowsError(try LinearPCAModel(hyperparameters: Hyperparameters(["k": "zero"]))) {
            XCTAssertTrue("\($0)".contains("k=zero"), "\($0)")
        }
        XCTAssertThrowsError(try LinearPCAModel(hyperparameters: Hyperparameters(["alpha": "1"]))) {
            XCTAssertTrue("\($0)".contains("alpha") && "\($0)".contains("lambda"), "\($0)")
        }
    }
}
