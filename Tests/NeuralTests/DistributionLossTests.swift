import Foundation
import XCTest

@testable import Neural

/// The set losses against hand values and their gradients against central differences.
final class DistributionLossTests: XCTestCase {
    func t(_ values: [Float], _ shape: [Int]) throws -> Tensor { try Tensor(values, shape: shape) }

    func testHandValues() throws {
        // One point each at 0 and 1 (1-D). Gaussian σ = 1: k(x,x) = k(y,y) = 1, k(x,y) = e^(−1/2) → 2 − 2e^(−1/2).
        let x = try t([0], [1, 1]), y = try t([1], [1, 1])
        XCTAssertEqual(Double(try DistributionLoss.mmd(x, y, kernel: .gaussian(bandwidths: [1])).item()), 2 - 2 * exp(-0.5), accuracy: 1e-6)
        // Two bandwidths add their kernels: σ = 1 and 2 → (2 − 2e^(−1/2)) + (2 − 2e^(−1/8)).
        XCTAssertEqual(
            Double(try DistributionLoss.mmd(x, y, kernel: .gaussian(bandwidths: [1, 2])).item()),
            (2 - 2 * exp(-0.5)) + (2 - 2 * exp(-0.125)), accuracy: 1e-6)
        // Energy: 2·√(1 + 1e-8) − √1e-8 − √1e-8 = the energy distance 2 up to the floor.
        XCTAssertEqual(Double(try DistributionLoss.mmd(x, y, kernel: .energy).item()), 2 - 2e-4, accuracy: 1e-6)
        // Identical sets: 0.
        let s = try t([0, 1, 2, 3, 4, 5], [3, 2])
        XCTAssertEqual(Double(try DistributionLoss.mmd(s, s, kernel: .gaussian(bandwidths: [0.5, 2])).item()), 0, accuracy: 1e-6)

        // SW1 along e1 of x = {0, 2}, y = {5, 1}: sorted (0, 2) vs (1, 5) → (1 + 3) / 2 = 2.
        let e1 = try t([1], [1, 1])
        XCTAssertEqual(try DistributionLoss.slicedWasserstein1(t([0, 2], [2, 1]), t([5, 1], [2, 1]), directions: e1).item(), 2)
        // Two directions in 2-D, e1 and e2: x = {(0,0), (1,1)}, y = {(2,0), (3,1)} → e1: (2 + 2)/2 = 2, e2: 0 → 1.
        let both = try t([1, 0, 0, 1], [2, 2])
        XCTAssertEqual(
            try DistributionLoss.slicedWasserstein1(t([0, 0, 1, 1], [2, 2]), t([2, 0, 3, 1], [2, 2]), directions: both).item(), 1)

        // ProtoInfoNCE with p̂ = o = identity rows, τ = 1: logits [[1, 0], [0, 1]] → −log(e / (e + 1)) = log(1 + e⁻¹).
        let identity = try t([1, 0, 0, 1], [2, 2])
        XCTAssertEqual(
            Double(try DistributionLoss.protoInfoNCE(predicted: identity, observed: identity, temperature: 1).item()),
            log(1 + exp(-1.0)), accuracy: 1e-6)
        // DE-rank: |p̂| = (2, 0), τ = 1, DE map (1, 0): −log softmax(2, 0)[0] = log(1 + e⁻²); a condition without DE
        // genes (second row) does not count.
        XCTAssertEqual(
            Double(
                try DistributionLoss.deRank(predicted: t([2, 0, 5, 5], [2, 2]), deMap: t([1, 0, 0, 0], [2, 2]), temperature: 1).item()),
            log(1 + exp(-2.0)), accuracy: 1e-5)
        // DE-direction: p̂ = (1, −1), both genes up, τ = 1: (softplus(−1) + softplus(1)) / 2; a 0 sign is left out.
        XCTAssertEqual(
            Double(
                try DistributionLoss.deDirection(predicted: t([1, -1, 7], [1, 3]), signs: t([1, 1, 0], [1, 3]), temperature: 1).item()),
            (log(1 + exp(-1.0)) + log(1 + exp(1.0))) / 2, accuracy: 1e-6)
    }

    func testCompositeIsTheWeightedSumAndTheSeedPreset() throws {
        XCTAssertEqual(CompositeLoss.seedStudy, CompositeLoss(slicedWasserstein: 0.60, protoInfoNCE: 0.25, deRank: 0.10, deDirection: 0.05))
        let generator = try Generator(seed: 3)
        let sets = try (0..<2).map { _ in try Tensor.normal([4, 3], std: 1, generator: generator) }
        let observed = try (0..<2).map { _ in try Tensor.normal([4, 3], std: 1, generator: generator) }
        let deltas = try Tensor.normal([2, 3], std: 1, generator: generator),
            truth = try Tensor.normal([2, 3], std: 1, generator: generator)
        let map = try t([1, 0, 1, 0, 1, 0], [2, 3]), signs = try t([1, 0, -1, 0, 1, 0], [2, 3])
        let directions = try DistributionLoss.directions(dimension: 3, count: 5, generator: generator)
        let batch = CompositeLoss.Batch(
            predictedSets: sets, observedSets: observed, predictedDeltas: deltas, observedDeltas: truth, deMap: map, deSigns: signs,
            kernel: .energy, directions: directions)
        var expected = 0.0
        for (p, o) in zip(sets, observed) {
            expected += 0.60 * Double(try DistributionLoss.slicedWasserstein1(p, o, directions: directions).item()) / 2
        }
        expected += 0.25 * Double(try DistributionLoss.protoInfoNCE(predicted: deltas, observed: truth).item())
        expected += 0.10 * Double(try DistributionLoss.deRank(predicted: deltas, deMap: map).item())
        expected += 0.05 * Double(try DistributionLoss.deDirection(predicted: deltas, signs: signs).item())
        XCTAssertEqual(Double(try CompositeLoss.seedStudy(batch).item()), expected, accuracy: 1e-5)
        let mmd =
            (Double(try DistributionLoss.mmd(sets[0], observed[0], kernel: .energy).item())
                + Double(try DistributionLoss.mmd(sets[1], observed[1], kernel: .energy).item())) / 2
        XCTAssertEqual(Double(try CompositeLoss.mmdOnly(batch).item()), mmd, accuracy: 1e-5)
        // Unit directions.
        let norms = try directions.squared().sum(dim: 0).floats()
        for n in norms { XCTAssertEqual(n, 1, accuracy: 1e-5) }
    }

    func testBadShapesAreSwiftErrors() throws {
        let a = try t([0, 1, 2, 3], [2, 2]), b = try t([0, 1, 2], [1, 3])
        XCTAssertThrowsError(try DistributionLoss.mmd(a, b, kernel: .energy)) { XCTAssertTrue("\($0)".contains("mmd loss")) }
        XCTAssertThrowsError(try DistributionLoss.slicedWasserstein1(a, t([0, 1], [1, 2]), directions: t([1, 0], [2, 1]))) {
            XCTAssertTrue("\($0)".contains("equal sizes"))
        }
        XCTAssertThrowsError(try DistributionLoss.protoInfoNCE(predicted: a, observed: b))
        XCTAssertThrowsError(try DistributionLoss.deDirection(predicted: a, signs: t([1], [1, 1])))
    }

    /// Autograd gradient of `loss` at `point` against central differences of the same loss (float32: step `h`,
    /// tolerance 2 % of the largest component + 2e-3). Piecewise-linear losses (sorting, |·|) take a small step so the
    /// difference stays within one linear piece.
    func assertGradient(
        _ name: String, point: [Float], shape: [Int], h: Float = 1e-2, file: StaticString = #filePath, line: UInt = #line,
        _ loss: (Tensor) throws -> Tensor
    ) throws {
        let x = try Tensor(point, shape: shape)
        x.requiresGrad = true
        try loss(x).backward()
        let analytic = try XCTUnwrap(x.grad).floats()
        var numeric = [Float](repeating: 0, count: point.count)
        for i in point.indices {
            var plus = point, minus = point
            plus[i] += h
            minus[i] -= h
            let up = try loss(Tensor(plus, shape: shape)).item(), down = try loss(Tensor(minus, shape: shape)).item()
            numeric[i] = (up - down) / (2 * h)
        }
        let scale = numeric.map { Swift.abs($0) }.max() ?? 0
        XCTAssertGreaterThan(scale, 1e-3, "\(name): a gradient that is not ~0", file: file, line: line)
        for i in point.indices {
            XCTAssertEqual(analytic[i], numeric[i], accuracy: 0.02 * scale + 2e-3, "\(name) component \(i)", file: file, line: line)
        }
    }

    func testGradientsMatchCentralDifferences() throws {
        let generator = try Generator(seed: 11)
        let x0 = try Tensor.normal([5, 3], std: 1, generator: generator).floats()
        let y = try Tensor.normal([5, 3], std: 1, generator: generator).affine(scale: 1, shift: 0.7)
        let directions = try DistributionLoss.directions(dimension: 3, count: 8, generator: generator)
        try assertGradient("mmd gaussian", point: x0, shape: [5, 3]) {
            try DistributionLoss.mmd($0, y, kernel: .gaussian(bandwidths: [0.5, 1, 2]))
        }
        try assertGradient("mmd energy", point: x0, shape: [5, 3]) { try DistributionLoss.mmd($0, y, kernel: .energy) }
        try assertGradient("sliced W1", point: x0, shape: [5, 3], h: 1e-3) {
            try DistributionLoss.slicedWasserstein1($0, y, directions: directions)
        }
        let truth = try Tensor.normal([5, 3], std: 1, generator: generator)
        try assertGradient("ProtoInfoNCE", point: x0, shape: [5, 3]) {
            try DistributionLoss.protoInfoNCE(predicted: $0, observed: truth, temperature: 0.5)
        }
        let map = try t([1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0], [5, 3])
        try assertGradient("DE-rank", point: x0, shape: [5, 3]) { try DistributionLoss.deRank(predicted: $0, deMap: map, temperature: 0.5) }
        let signs = try t([1, 0, -1, 0, 1, 0, -1, 1, 0, 0, 0, 1, 1, 0, 0], [5, 3])
        try assertGradient("DE-direction", point: x0, shape: [5, 3]) {
            try DistributionLoss.deDirection(predicted: $0, signs: signs, temperature: 0.5)
        }
    }
}
