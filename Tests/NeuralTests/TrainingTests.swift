import Foundation
import XCTest
@testable import Neural

/// Resident memory of this process in MiB (Linux /proc).
private func residentMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = text.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

final class TrainingTests: XCTestCase {
    /// A small regression problem: y = x·w* with fixed w*.
    private func problem(_ generator: Generator) throws -> (x: Tensor, y: Tensor) {
        let x = try Tensor.normal([64, 10], std: 1, generator: generator)
        let w = try Tensor((0..<10).map { Float($0) / 10 }, shape: [10, 1])
        return (x, try x.matmul(w))
    }

    func testTenThousandStepsKeepResidentMemoryFlat() throws {
        let g = try Generator(seed: 3)
        let (x, y) = try problem(g)
        let mlp = try MLP([10, 32, 32, 1], dropout: 0.1, generator: g)
        let opt = try Optimizer(parameters: mlp.parameters, learningRate: 1e-3)
        func step() throws -> Double {
            try opt.zeroGrad()
            let loss = try Loss.mse(mlp(x, training: true), y)
            try loss.backward()
            try opt.clipGradients(maxNorm: 1)
            try opt.step()
            return Double(try loss.item())
        }
        for _ in 0..<1_000 { _ = try step() }
        let warm = residentMiB()
        var last = 0.0
        for _ in 0..<9_000 { last = try step() }
        let grown = residentMiB() - warm
        // Each step allocates ~30 tensors; a leak of even one 64×32 activation per step would add > 70 MiB.
        XCTAssertLessThan(grown, 20, "resident memory grew \(grown) MiB over 9,000 steps")
        XCTAssertLessThan(last, 0.05, "the network should fit a linear map")
    }

    func testTrainerStopsEarlyAndRestoresTheBestParametersAndCheckpoint() throws {
        let g = try Generator(seed: 5)
        let (x, y) = try problem(g)
        let layer = try Linear(10, 1, generator: g)
        let opt = try Optimizer(parameters: layer.parameters, learningRate: 0.05, weightDecay: 0)
        let dir = NSTemporaryDirectory() + "perturbkit-trainer-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The validation score peaks at epoch 3 by construction, so training stops at 3 + patience.
        let scores = [0.1, 0.2, 0.9, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.0]
        var epoch = 0
        var weightsAtBest: [Float] = []
        let summary = try Trainer.run(
            TrainingOptions(epochs: 10, patience: 2, checkpoint: dir + "/best.pt"),
            parameters: prefixed("layer", layer), batches: { _ in 4 },
            step: { _, _ in
                try opt.zeroGrad()
                let loss = try Loss.mse(layer(x), y)
                try loss.backward()
                try opt.step()
                return StepResult(loss: Double(try loss.item()), cells: 64)
            },
            validate: {
                defer { epoch += 1 }
                if epoch == 2 { weightsAtBest = try layer.weight.floats() }
                return scores[epoch]
            })
        XCTAssertEqual(summary.epochs, 5)
        XCTAssertEqual(summary.bestEpoch, 3)
        XCTAssertEqual(summary.steps, 20)
        XCTAssertEqual(summary.cells, 20 * 64)
        XCTAssertEqual(try layer.weight.floats(), weightsAtBest)
        let restored = try Linear(10, 1, generator: g)
        try TensorArchive.load(prefixed("layer", restored), from: dir + "/best.pt")
        XCTAssertEqual(try restored.weight.floats(), weightsAtBest)
        XCTAssertLessThan(summary.losses.last!, summary.losses.first!)
    }

    func testNonFiniteLossStopsWithAnError() throws {
        XCTAssertThrowsError(
            try Trainer.run(
                TrainingOptions(epochs: 2), parameters: [], batches: { _ in 1 },
                step: { _, _ in StepResult(loss: .nan, cells: 1) }, validate: nil)
        ) {
            XCTAssertTrue("\($0)".contains("learning rate"), "\($0)")
        }
    }
}
