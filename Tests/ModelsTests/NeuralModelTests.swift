import Foundation
import XCTest
import LinearAlgebra
import PerturbData
import Statistics
@testable import Models

/// Small, fast settings for tests.
private let tiny = ["hidden": "32", "latent": "8", "layers": "1", "epochs": "4", "batch_size": "64", "threads": "1"]

private func neural(_ name: String, _ extra: [String: String] = [:]) throws -> any ForwardModel {
    try forwardModels.make(name, hyperparameters: Hyperparameters(tiny.merging(extra) { _, b in b }))
}

/// Mean pearson_delta of `model` over the perturbed conditions of `part` (observed against its own controls),
/// as early stopping scores it: an undefined correlation counts as 0.
func meanPearsonDelta(_ model: any ForwardModel, _ part: PerturbationDataset) throws -> Double {
    try XCTUnwrap(try ValidationTarget(part)).score { try model.predictDelta($0) }
}

final class NeuralModelTests: XCTestCase {
    func testEveryNeuralModelFitsSavesAndReloadsToTheSamePredictions() throws {
        let parts = try simulatedParts()
        for (name, extra) in [
            ("latent-additive", [:]), ("decoder-only", ["inputs": "both"]), ("cpa", ["doser": "sigmoid"]),
            ("cpa", ["adversary": "false"]),
        ] {
            var model = try neural(name, extra)
            try model.fit(parts.train, validation: parts.validation, context: FitContext(seed: 0))
            let state = try model.state()
            let reloaded = try type(of: model).init(state: state, hyperparameters: Hyperparameters(tiny.merging(extra) { _, b in b }))
            for c in parts.test.groups.conditions.prefix(4) where c.perturbation != parts.test.controlLabel {
                let d = try model.predictDelta(c)
                XCTAssertEqual(d.count, parts.train.geneCount)
                XCTAssertEqual(d, try reloaded.predictDelta(c), "\(name) \(extra)")
                XCTAssertTrue(d.allSatisfy { $0.isFinite })
            }
        }
    }

    func testCPASamplesItsLikelihoodHeadAndMeanOnlyNetworksDoNot() throws {
        let parts = try simulatedParts()
        var cpa = try neural("cpa")
        try cpa.fit(parts.train, validation: nil, context: FitContext(seed: 0))
        var additive = try neural("latent-additive")
        try additive.fit(parts.train, validation: nil, context: FitContext(seed: 0))
        let condition = try XCTUnwrap(parts.test.groups.conditions.first { $0.perturbation != parts.test.controlLabel })
        let sources = parts.test.expression.selectingRows(Array(parts.test.controlCells.prefix(40)))
        XCTAssertNil(try additive.sampleCells(condition, sources: sources, seed: 1), "latent-additive predicts a mean only")
        let cells = try XCTUnwrap(try cpa.sampleCells(condition, sources: sources, seed: 1))
        XCTAssertEqual([cells.rows, cells.columns], [40, parts.train.geneCount])
        XCTAssertTrue(cells.values.allSatisfy { $0 > 0 && $0.isFinite }, "clipped at 0, no explicit zeros")
        // Draws from the Gaussian head: cells differ from each other, and the same seed gives the same cells.
        let dense = cells.toDense()
        let spread = (0..<cells.columns).map { g in Set((0..<cells.rows).map { dense[$0, g] }).count }
        XCTAssertGreaterThan(spread.filter { $0 > 20 }.count, cells.columns / 2)
        XCTAssertEqual(try cpa.sampleCells(condition, sources: sources, seed: 1), cells)
        XCTAssertNotEqual(try cpa.sampleCells(condition, sources: sources, seed: 2), cells)
        // Through predict: the CPA cells are its own samples, not resampled controls.
        let predicted = try cpa.predict(controls: parts.test, conditions: [condition: 5], seed: 3)
        XCTAssertEqual(predicted.cellCount, 5 + parts.test.controlCells.count)
    }

    func testSameSeedAndThreadsGiveIdenticalPredictions() throws {
        let parts = try simulatedParts()
        func run(_ seed: UInt64) throws -> [Double] {
            let model = try ForwardFitting.fitModel(
                "cpa", hyperparameters: Hyperparameters(tiny.merging(["dropout": "0.2"]) { _, b in b }), train: parts.train,
                validation: parts.validation, context: FitContext(seed: seed)
            ).model
            return try parts.test.groups.conditions.filter { $0.perturbation != parts.test.controlLabel }.flatMap {
                try model.predictDelta($0)
            }
        }
        let a = try run(11), b = try run(11), c = try run(12)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testTrainingProgressGoesWhereTheContextSays() throws {
        let parts = try simulatedParts()
        final class Lines: @unchecked Sendable {
            let lock = NSLock()
            var all: [String] = []
            func add(_ line: String) { lock.withLock { all.append(line) } }
        }
        let lines = Lines()
        var model = try neural("latent-additive")
        try model.fit(parts.train, validation: parts.validation, context: FitContext(seed: 1, progress: lines.add))
        XCTAssertEqual(lines.all.filter { $0.hasPrefix("latent-additive: epoch ") }.count, 4, lines.all.joined(separator: "\n"))
        XCTAssertTrue(lines.all.last?.hasPrefix("latent-additive: kept epoch") ?? false)
    }

    func testCovariatesOnlyDecoderPredictsOneDeltaPerContext() throws {
        let parts = try simulatedParts()
        var model = try neural("decoder-only", ["inputs": "covariates"])
        try model.fit(parts.train, validation: nil, context: FitContext(seed: 0))
        let conditions = parts.test.groups.conditions.filter { $0.perturbation != parts.test.controlLabel }
        let first = try model.predictDelta(conditions[0])
        for c in conditions.dropFirst() { XCTAssertEqual(try model.predictDelta(c), first) }
        var perturbationOnly = try neural("decoder-only", ["inputs": "perturbation"])
        try perturbationOnly.fit(parts.train, validation: nil, context: FitContext(seed: 0))
        XCTAssertNotEqual(try perturbationOnly.predictDelta(conditions[0]), try perturbationOnly.predictDelta(conditions[1]))
    }

    func testBadHyperparametersAndUnfittedUseAreErrors() throws {
        XCTAssertThrowsError(try neural("decoder-only", ["inputs": "genes"])) { XCTAssertTrue("\($0)".contains("inputs"), "\($0)") }
        XCTAssertThrowsError(try neural("cpa", ["adversary": "maybe"]))
        XCTAssertThrowsError(try neural("latent-additive", ["lr": "-1"]))
        XCTAssertThrowsError(try neural("latent-additive", ["unknown_key": "1"]))
        XCTAssertThrowsError(try neural("latent-additive").predictDelta(Condition(perturbation: "p1")))
    }

    func testNetworkDefaultsGiveWayToGivenValues() throws {
        XCTAssertEqual(try LatentAdditiveModel(hyperparameters: Hyperparameters()).settings.dropout, 0)
        XCTAssertEqual(try LatentAdditiveModel(hyperparameters: Hyperparameters(["dropout": "0.2"])).settings.dropout, 0.2)
        XCTAssertEqual(try DecoderOnlyModel(hyperparameters: Hyperparameters()).settings.dropout, 0.1)
        XCTAssertEqual(LatentAdditiveModel.hyperparameterHelp["dropout"], "dropout after each hidden layer (default 0 for latent-additive)")
    }

    func testValidationDeltasAreAgainstTheTrainingAndValidationControlsPooled() throws {
        func part(_ rows: [[Double]], _ labels: [String]) throws -> PerturbationDataset {
            let dense = Matrix(rows: rows.count, columns: 2, storage: rows.flatMap { $0 })
            return PerturbationDataset(
                expression: CSRMatrix(dense: dense), genes: ["g1", "g2"], cellIDs: labels.indices.map { "c\($0)" },
                perturbations: labels, controlLabel: "control", scale: .log1p)
        }
        let validation = try part([[1, 0], [5, 2]], ["control", "p1"])
        let train = try part([[4, 0], [4, 0], [4, 0], [9, 9]], ["control", "control", "control", "p2"])
        // Pooled control mean: (1 + 3 · 4) / 4 = 3.25 for g1, 0 for g2.
        XCTAssertEqual(try XCTUnwrap(try ValidationTarget(validation, trainingControls: train)).observed, [[1.75, 2]])
        XCTAssertEqual(try XCTUnwrap(try ValidationTarget(validation)).observed, [[4, 2]])
    }

    func testLatentAdditiveTransfersSeenPerturbationsToAHeldOutCellType() throws {
        let parts = try simulatedParts(
            singles: 12, doubles: 0, genes: 100, cellsPer: 40, cellTypes: 3,
            strategy: .covariateTransfer(
                column: "cell_type", holdout: ["type2"], holdoutCount: 1,
                moveToTrain: 0.3, val: 0.1, test: 0.2))
        // Defaults (latent-additive's dropout is 0) except: a higher learning rate and no early stop (the
        // validation part is small).
        let hp = ["epochs": "100", "threads": "1", "patience": "0", "lr": "3e-3"]
        var latent = try forwardModels.make("latent-additive", hyperparameters: Hyperparameters(hp))
        try latent.fit(parts.train, validation: parts.validation, context: FitContext(seed: 0))
        var control = try forwardModels.make("control-mean")
        try control.fit(parts.train, validation: nil, context: FitContext(seed: 0))
        var linear = try forwardModels.make("linear")
        try linear.fit(parts.train, validation: nil, context: FitContext(seed: 0))
        let scores = try [latent, control, linear].map { try meanPearsonDelta($0, parts.test) }
        // control-mean predicts a zero delta: its correlation is undefined and counts as 0.
        XCTAssertEqual(scores[1], 0)
        XCTAssertGreaterThan(scores[0], 0.4, "latent-additive \(scores[0]), linear \(scores[2])")
        XCTAssertGreaterThan(scores[0], scores[2] - 0.03, "latent-additive \(scores[0]), linear \(scores[2])")
    }
}
