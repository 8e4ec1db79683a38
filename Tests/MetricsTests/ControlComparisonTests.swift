import AnnData
import Foundation
import LinearAlgebra
import Metrics
import PerturbData
import XCTest

/// Issue 26: a prediction whose control cells differ from the real ones changed PDS and DE-based metrics without a
/// word. `perturb eval` now says how they differ, and `--controls real` evaluates against the real controls.
final class ControlComparisonTests: XCTestCase {
    /// Deterministic log1p-like values (fractional, about a third zeros).
    func rows(_ count: Int, seed: UInt64, shift: Float = 0) -> [[Float]] {
        var state = seed
        return (0..<count).map { _ in
            (0..<6).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let u = Float(state >> 40) / Float(1 << 24)
                return u < 0.33 ? 0 : 3 * u + shift + 0.013
            }
        }
    }

    func data(_ rows: [[Float]], labels: [String], ids: [String]) throws -> AnnData {
        var obs = DataFrame(index: ids)
        try obs.setColumn("target_gene", .categorical(Categorical(labels: labels)))
        return AnnData(
            X: CSRMatrix(dense: Matrix<Float>(rowArrays: rows)), obs: obs, variables: DataFrame(index: (0..<6).map { "G\($0)" }))
    }

    func evaluate(_ real: AnnData, _ pred: AnnData, controls: ControlSource) throws -> EvaluationUnit {
        var config = EvaluationConfig(realPath: "real.h5ad", predPath: "pred.h5ad", outputDirectory: "", profile: "full", threads: 1)
        config.realData = real
        config.predData = pred
        config.controls = controls
        let notices = NoticeLog()
        config.notice = { notices.add($0) }
        let units = try EvaluationRun.compute(config)
        XCTAssertEqual(units.count, 1)
        XCTAssertEqual(notices.lines.count, units[0].controls.identical ? 0 : 1, "a differing control set is always noticed")
        return units[0]
    }

    func testDifferingControlsAreReportedAndTheRealOnesCanBeUsed() throws {
        let controls = rows(8, seed: 1), perturbed = rows(10, seed: 2, shift: 0.5), predicted = rows(10, seed: 3, shift: 0.4)
        let labels = Array(repeating: "non-targeting", count: 8) + Array(repeating: "A", count: 5) + Array(repeating: "B", count: 5)
        let ids = (0..<18).map { "c\($0)" }
        let real = try data(controls + perturbed, labels: labels, ids: ids)

        // Identical controls: nothing to say, and both sources give the same numbers.
        let same = try data(controls + predicted, labels: labels, ids: ids)
        let a = try evaluate(real, same, controls: .pred), b = try evaluate(real, same, controls: .real)
        XCTAssertTrue(a.controls.identical)
        XCTAssertTrue(a.controls.line(using: .pred).contains("8 control cells are the real file's"))
        XCTAssertEqual(a.results.values.description, b.results.values.description)

        // The prediction's controls: c0 changed, c7 missing, an extra cell x0.
        var changedControls = Array(controls.prefix(7))
        changedControls[0] = changedControls[0].map { $0 == 0 ? 0 : $0 + 1 }
        let extra = rows(1, seed: 9)
        let predLabels = Array(repeating: "non-targeting", count: 8) + labels.suffix(10)
        let predIDs = (0..<7).map { "c\($0)" } + ["x0"] + ids.suffix(10)
        let pred = try data(changedControls + extra + predicted, labels: predLabels, ids: predIDs)
        let own = try evaluate(real, pred, controls: .pred)
        let c = own.controls
        XCTAssertEqual([c.realCells, c.predCells, c.changed, c.onlyReal, c.onlyPred], [8, 8, 1, 1, 1])
        // The mean profiles, by hand.
        let realMean = (0..<6).map { g in controls.map { Double($0[g]) }.reduce(0, +) / 8 }
        let predMean = (0..<6).map { g in (changedControls + extra).map { Double($0[g]) }.reduce(0, +) / 8 }
        let differences = zip(realMean, predMean).map { abs($0 - $1) }
        XCTAssertEqual(c.meanAbsoluteDifference, differences.reduce(0, +) / 6, accuracy: 1e-6)
        XCTAssertEqual(c.largestDifference, differences.max()!, accuracy: 1e-6)
        XCTAssertTrue(c.line(using: .pred).contains("--controls real uses the real ones"), c.line(using: .pred))

        // --controls real = evaluating the prediction with the real controls put in by hand.
        let substituted = try evaluate(real, pred, controls: .real)
        let byHand = try evaluate(
            real, try data(predicted + controls, labels: labels.suffix(10) + labels.prefix(8), ids: ids.suffix(10) + ids.prefix(8)),
            controls: .pred)
        XCTAssertEqual(substituted.results.columns, byHand.results.columns)
        XCTAssertEqual(substituted.results.values.description, byHand.results.values.description)
        XCTAssertNotEqual(substituted.results.values.description, own.results.values.description, "the controls changed nothing")
    }

    func testRealControlsAndAnEmbeddingAreRefusedTogether() {
        var config = EvaluationConfig(realPath: "real.h5ad", predPath: "pred.h5ad", outputDirectory: "", embedKey: "X_pca")
        config.controls = .real
        XCTAssertThrowsError(try EvaluationRun.compute(config)) { XCTAssertTrue("\($0)".contains("--controls real cannot"), "\($0)") }
    }
}

/// Lines sent to a notice sink.
final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}
