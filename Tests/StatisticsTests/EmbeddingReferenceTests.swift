import Foundation
import XCTest
import LinearAlgebra
@testable import Statistics

/// LISI, the logistic probe and kNN classification against harmonypy 0.0.10 and scikit-learn 1.9.1
/// (Tests/Fixtures/embed, made by scripts/reference/make_embed_fixtures.py).
final class EmbeddingReferenceTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/embed")

    struct Cells {
        let ids: [String], batches: [String], labels: [String]
        let x: Matrix<Double>
    }

    func table(_ name: String) throws -> [[String]] {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func cells() throws -> Cells {
        let rows = try table("cells.csv")
        return Cells(
            ids: rows.map { $0[0] }, batches: rows.map { $0[1] }, labels: rows.map { $0[2] },
            x: Matrix(rowArrays: rows.map { $0[3...].map { Double($0)! } }))
    }

    func testLISIMatchesHarmonypy() throws {
        let data = try cells()
        let ours = LISI.scores(data.x, labels: data.batches, perplexity: 30)
        let reference = try table("lisi.csv").map { Double($0[1])! }
        let worst = zip(ours, reference).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-4, "largest LISI difference \(worst)")
        XCTAssertGreaterThan(reference.reduce(0, +) / Double(reference.count), 1.2, "the fixture mixes batches partly")
    }

    func testProbeAndKNNMatchScikitLearnExactly() throws {
        let data = try cells()
        let folds = try table("folds.csv")
        var probeAgree = 0, knnAgree = 0
        for held in ["b0", "b1", "b2"] {
            let train = data.batches.indices.filter { data.batches[$0] != held }
            let test = data.batches.indices.filter { data.batches[$0] == held }
            let model = LogisticRegression.fit(data.x.selectingRows(train), labels: train.map { data.labels[$0] }, tolerance: 1e-10)
            let ranked = model.rankedClasses(data.x.selectingRows(test))
            let k = Int(Double(train.count).squareRoot())
            let knn = KNNClassifier.predict(
                reference: data.x.selectingRows(train), labels: train.map { data.labels[$0] },
                queries: data.x.selectingRows(test), k: k)
            let expected = folds.filter { $0[1] == held }
            XCTAssertEqual(expected.count, test.count)
            XCTAssertEqual(Int(expected[0][2]), k)
            for (j, row) in expected.enumerated() {
                XCTAssertEqual(row[0], data.ids[test[j]])
                let top5 = ranked[j].prefix(5).map { model.classes[$0] }.joined(separator: ";")
                if top5 == row[3] { probeAgree += 1 } else { XCTFail("\(row[0]): probe top-5 \(top5) vs \(row[3])") }
                if knn[j] == row[4] { knnAgree += 1 } else { XCTFail("\(row[0]): kNN \(knn[j]) vs \(row[4])") }
            }
        }
        XCTAssertEqual(probeAgree, folds.count)
        XCTAssertEqual(knnAgree, folds.count)
    }

    func testLogisticRegressionOnAHandSolvableProblem() {
        // x = 1 is A, x = −1 is B, C = 1. By symmetry w_A = −w_B = w and both intercepts are 0; the objective is
        // −2 log σ(2w) + w², stationary where w = 2 σ(−2w) = 2 / (1 + e^{2w}).
        let x = Matrix<Double>(rowArrays: [[1], [-1]])
        let model = LogisticRegression.fit(x, labels: ["A", "B"], tolerance: 1e-12)
        let (_, gradient) = LogisticRegression.Objective(x: x, target: [0, 1], classes: 2, c: 1)
            .evaluate(model.weights.storage + model.intercepts)
        XCTAssertLessThan(gradient.map(abs).max()!, 1e-8)
        let w = model.weights[0, 0]
        XCTAssertEqual(model.weights[1, 0], -w, accuracy: 1e-9)
        XCTAssertEqual(model.intercepts[0], 0, accuracy: 1e-9)
        XCTAssertEqual(w, 2 / (1 + Foundation.exp(2 * w)), accuracy: 1e-8)
        XCTAssertEqual(w, 0.521298457, accuracy: 1e-8)  // the root of w(1 + e^{2w}) = 2, by Newton's method
    }
}
