import Foundation
import LinearAlgebra
import Neural
import PerturbData
import XCTest

@testable import Models

/// Tiny settings: a few seconds on two cores.
private let tiny = [
    "hidden": "16", "heads": "2", "layers": "1", "set_size": "8", "sets_per_step": "4", "epochs": "3", "steps_per_epoch": "4",
    "threads": "1", "projections": "8",
]

final class StateTransitionModelTests: XCTestCase {
    func fitted(_ extra: [String: String] = [:], seed: UInt64 = 0) throws -> (any ForwardModel, SplitParts) {
        let parts = try simulatedParts(genes: 40, cellsPer: 20)
        let model = try ForwardFitting.fitModel(
            "state-transition", hyperparameters: Hyperparameters(tiny.merging(extra) { _, b in b }), train: parts.train,
            validation: parts.validation, context: FitContext(seed: seed)
        ).model
        return (model, parts)
    }

    func testFitsPredictsSetsAndReloadsToTheSamePredictions() throws {
        let (model, parts) = try fitted()
        let conditions = parts.test.groups.conditions.filter { $0.perturbation != parts.test.controlLabel }
        let condition = try XCTUnwrap(conditions.first)
        let delta = try model.predictDelta(condition)
        XCTAssertEqual(delta.count, parts.train.geneCount)
        XCTAssertTrue(delta.allSatisfy(\.isFinite))
        // Its set: one row per source cell, sets of 8 (the last one shorter).
        let sources = parts.test.expression.selectingRows(Array(parts.test.controlCells.prefix(19)))
        let cells = try XCTUnwrap(try model.predictSet(condition, sources: sources, seed: 1))
        XCTAssertEqual([cells.rows, cells.columns], [19, parts.train.geneCount])
        XCTAssertTrue(cells.storage.allSatisfy(\.isFinite))
        // Save and reload: the same predictions.
        let reloaded = try StateTransitionModel(
            state: try model.state(), hyperparameters: Hyperparameters(tiny.merging(["seed": "0"]) { _, b in b }))
        XCTAssertEqual(try reloaded.predictDelta(condition), delta)
        XCTAssertEqual(try reloaded.predictSet(condition, sources: sources, seed: 1), cells)
        // Through the shared predict path: `shift` emits the set's rows clipped at 0; `resample` draws count cells
        // (log1p of integer counts × size factor) from the set's mean delta and response strengths.
        let shifted = try model.predict(controls: parts.test, conditions: [condition: 5], seed: 2, cells: .shift)
        XCTAssertEqual(shifted.cellCount, 5 + parts.test.controlCells.count)
        let predictedRows = shifted.groups.cellsByCondition[condition]!
        let shiftedRows = shifted.expression.selectingRows(predictedRows).toDense()
        XCTAssertTrue(shiftedRows.storage.allSatisfy { $0 >= 0 })
        let resampled = try model.predict(controls: parts.test, conditions: [condition: 5], seed: 2)
        XCTAssertEqual(resampled.cellCount, 5 + parts.test.controlCells.count)
        XCTAssertNotEqual(
            resampled.expression.selectingRows(resampled.groups.cellsByCondition[condition]!).toDense(), shiftedRows)
        XCTAssertEqual(try model.predict(controls: parts.test, conditions: [condition: 5], seed: 2).expression, resampled.expression)
    }

    func testSameSeedSameModelAndTheCompositeLossTrains() throws {
        let (a, parts) = try fitted(seed: 3)
        let (b, _) = try fitted(seed: 3)
        let (c, _) = try fitted(seed: 4)
        let condition = try XCTUnwrap(parts.test.groups.conditions.first { $0.perturbation != parts.test.controlLabel })
        XCTAssertEqual(try a.predictDelta(condition), try b.predictDelta(condition))
        XCTAssertNotEqual(try a.predictDelta(condition), try c.predictDelta(condition))
        let (composite, _) = try fitted(["loss": "composite", "kernel": "gaussian", "space": "genes"])
        XCTAssertTrue(try composite.predictDelta(condition).allSatisfy(\.isFinite))
        // Noise inputs: the sampled set depends on the seed it is drawn with, and is reproducible with it.
        let (noisy, _) = try fitted(["noise": "4"])
        let sources = parts.test.expression.selectingRows(Array(parts.test.controlCells.prefix(10)))
        let first = try XCTUnwrap(try noisy.predictSet(condition, sources: sources, seed: 1))
        XCTAssertEqual(try noisy.predictSet(condition, sources: sources, seed: 1), first)
        XCTAssertNotEqual(try noisy.predictSet(condition, sources: sources, seed: 2), first)
        XCTAssertEqual(try noisy.predictDelta(condition), try noisy.predictDelta(condition))
    }

    func testFeatureEmbeddingsGiveUnseenTargetsAPrediction() throws {
        let parts = try simulatedParts(genes: 40, cellsPer: 20)
        let trained = Set(parts.train.perturbationLabels.flatMap { $0.split(separator: "+").map(String.init) })
        let unseen = try XCTUnwrap(parts.train.genes.first { !trained.contains($0) })
        let unknown = Condition(perturbation: "not-a-gene"), fresh = Condition(perturbation: unseen)
        // One-hot: an unseen target and a name that is no gene get the same (no-embedding) prediction.
        let (onehot, _) = try fitted()
        XCTAssertEqual(try onehot.predictDelta(fresh), try onehot.predictDelta(unknown))
        XCTAssertEqual(onehot.representableTargets(), [])
        // Loadings: the unseen target is a measured gene, so it has an embedding of its own; saved and reloaded.
        let (loadings, _) = try fitted(["features": "loadings"])
        XCTAssertNotEqual(try loadings.predictDelta(fresh), try loadings.predictDelta(unknown))
        XCTAssertEqual(loadings.representableTargets(), parts.train.genes)
        let reloaded = try StateTransitionModel(
            state: try loadings.state(),
            hyperparameters: Hyperparameters(tiny.merging(["seed": "0", "features": "loadings"]) { _, b in b }))
        XCTAssertEqual(try reloaded.predictDelta(fresh), try loadings.predictDelta(fresh))
        // A CSV table: its keys are embedded; a malformed table is an error naming the file.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-features-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = dir.appendingPathComponent("features.csv").path
        let rows = (trained.sorted() + [unseen]).enumerated().map { "\($1),\(Double($0) / 10),\(1 - Double($0) / 10)" }
        try (["gene,a,b"] + rows).joined(separator: "\n").write(toFile: table, atomically: true, encoding: .utf8)
        let (tabled, _) = try fitted(["features": table])
        XCTAssertNotEqual(try tabled.predictDelta(fresh), try tabled.predictDelta(unknown))
        let bad = dir.appendingPathComponent("bad.csv").path
        try "gene,a\nx,1\ny,oops\n".write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try fitted(["features": bad])) { XCTAssertTrue("\($0)".contains("bad.csv"), "\($0)") }
        XCTAssertThrowsError(
            try forwardModels.make("state-transition", hyperparameters: Hyperparameters(["features": "loadings", "space": "genes"])))
    }

    func testTheDeviceOfTheFit() throws {
        let parts = try simulatedParts(genes: 40, cellsPer: 20)
        func fit(_ device: Device) throws -> any ForwardModel {
            var context = FitContext(seed: 0)
            context.device = device
            return try ForwardFitting.fitModel(
                "state-transition", hyperparameters: Hyperparameters(tiny), train: parts.train, validation: parts.validation,
                context: context
            ).model
        }
        guard Torch.cudaDeviceCount > 0 else {
            // Without a GPU the CUDA path is an error that says why, not a silent CPU fit.
            XCTAssertThrowsError(try fit(.cuda(0))) { XCTAssertTrue("\($0)".contains("CUDA device 0 requested"), "\($0)") }
            throw XCTSkip("no CUDA device: the linked libtorch sees none (Debian's libtorch is CPU-only)")
        }
        // On a GPU: the fitted parameters come back to the CPU and predict close to a CPU fit's.
        let gpu = try XCTUnwrap(try fit(.cuda(0)) as? StateTransitionModel), cpu = try fit(.cpu)
        XCTAssertTrue(try XCTUnwrap(gpu.fitted).network.namedParameters.allSatisfy { $0.tensor.device == .cpu })
        let condition = try XCTUnwrap(parts.test.groups.conditions.first { $0.perturbation != parts.test.controlLabel })
        for (a, b) in zip(try gpu.predictDelta(condition), try cpu.predictDelta(condition)) { XCTAssertEqual(a, b, accuracy: 1e-2) }
    }

    /// Mixed precision trains the same network in bfloat16 (CPU and CUDA) or float16 (CUDA): its predictions
    /// follow the float32 fit's, and they are not identical to them (autocast was on).
    func testMixedPrecisionFitsFollowTheFloat32Fit() throws {
        let parts = try simulatedParts(genes: 40, cellsPer: 20)
        let condition = try XCTUnwrap(parts.test.groups.conditions.first { $0.perturbation != parts.test.controlLabel })
        func delta(_ device: Device, _ precision: Precision) throws -> [Double] {
            var context = FitContext(seed: 0)
            context.device = device
            context.precision = precision
            return try ForwardFitting.fitModel(
                "state-transition", hyperparameters: Hyperparameters(tiny), train: parts.train, validation: parts.validation,
                context: context
            ).model.predictDelta(condition)
        }
        var runs: [(Device, Precision)] = [(.cpu, .bfloat16)]
        if Torch.cudaDeviceCount > 0 { runs += [(.cuda(0), .bfloat16), (.cuda(0), .float16)] }
        let reference = try delta(.cpu, .float32)
        let scale = reference.map(abs).max() ?? 0
        XCTAssertGreaterThan(scale, 0)
        for (device, precision) in runs {
            let mixed = try delta(device, precision)
            let largest = zip(mixed, reference).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(largest, 0.05 * scale, "\(device) \(precision)")
            XCTAssertGreaterThan(largest, 0, "\(device) \(precision): identical to float32; was autocast on?")
        }
    }

    func testBadHyperparametersAndShapesAreErrors() throws {
        XCTAssertThrowsError(try forwardModels.make("state-transition", hyperparameters: Hyperparameters(["hidden": "10", "heads": "4"]))) {
            XCTAssertTrue("\($0)".contains("heads"))
        }
        XCTAssertThrowsError(try forwardModels.make("state-transition", hyperparameters: Hyperparameters(["loss": "kl"])))
        // A set of the wrong width through the network is a Swift error, not a crash.
        let network = try StateTransitionNetwork(
            genes: 5, members: 2, covariateWidth: 0, hidden: 8, blocks: 1, heads: 2, dropout: 0, generator: Generator(seed: 0))
        XCTAssertThrowsError(
            try network(
                controls: Tensor.zeros([3, 4]), perturbation: Tensor([1, 0], shape: [1, 2]), covariates: Tensor.zeros([1, 0]),
                training: false))
        XCTAssertEqual(
            try network(
                controls: Tensor.zeros([3, 5]), perturbation: Tensor([1, 0], shape: [1, 2]), covariates: Tensor.zeros([1, 0]),
                training: false
            ).shape, [3, 5])
    }
}
