import Foundation
import XCTest
@testable import Neural

final class TensorTests: XCTestCase {
    func testValuesRoundTripAndHandComputedOperations() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = try Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2])
        XCTAssertEqual(a.shape, [2, 3])
        XCTAssertEqual(try a.floats(), [1, 2, 3, 4, 5, 6])
        // [1 2 3; 4 5 6] · [1 0; 0 1; 1 1] = [4 5; 10 11]
        XCTAssertEqual(try a.matmul(b).floats(), [4, 5, 10, 11])
        XCTAssertEqual(try a.sum(dim: 0).floats(), [5, 7, 9])
        XCTAssertEqual(try a.mean().item(), 3.5)
        XCTAssertEqual(try (a - a).abs().sum().item(), 0)
        XCTAssertEqual(try a.affine(scale: 2, shift: -1).floats(), [1, 3, 5, 7, 9, 11])
        XCTAssertEqual(try Tensor.cat([a, a], dim: 0).shape, [4, 3])
        XCTAssertEqual(try a.indexSelect(dim: 0, .indices([1])).floats(), [4, 5, 6])
        XCTAssertEqual(try a.gather(dim: 1, .indices([2, 0], shape: [2, 1])).floats(), [3, 4])
        let softmax = try Tensor([0, Float(log(3.0))], shape: [1, 2]).softmax(dim: 1).floats()
        XCTAssertEqual(softmax[0], 0.25, accuracy: 1e-6)
        XCTAssertEqual(softmax[1], 0.75, accuracy: 1e-6)
        // Layer norm of [1, 2, 3]: mean 2, population variance 2/3.
        let ln = try Tensor([1, 2, 3], shape: [1, 3]).layerNorm(eps: 0).floats()
        XCTAssertEqual(ln[0], -Float((1.5).squareRoot()), accuracy: 1e-5)
        XCTAssertEqual(ln[2], Float((1.5).squareRoot()), accuracy: 1e-5)
        // Cross entropy of logits [0, 0] for class 1 is log 2.
        XCTAssertEqual(try Loss.crossEntropy(Tensor([0, 0], shape: [1, 2]), .indices([1])).item(), Float(log(2.0)), accuracy: 1e-6)
        // Gaussian NLL: 0.5 (log 4 + 1/4) for mean 0, target 1, variance 4.
        let nll = try Loss.gaussianNLL(mean: Tensor([0], shape: [1]), target: Tensor([1], shape: [1]), variance: Tensor([4], shape: [1]))
        XCTAssertEqual(try nll.item(), Float(0.5 * (log(4.0) + 0.25)), accuracy: 1e-6)
    }

    func testAttentionWithUniformScoresAveragesValues() throws {
        let q = try Tensor.zeros([1, 2, 4]), k = try Tensor.ones([1, 3, 4])
        let v = try Tensor([1, 2, 3, 4, 5, 6], shape: [1, 3, 2])
        XCTAssertEqual(try Tensor.attention(query: q, key: k, value: v).floats(), [3, 4, 3, 4])
    }

    func testBadShapesAndArgumentsAreSwiftErrorsNotAborts() throws {
        let a = try Tensor.ones([2, 3])
        XCTAssertThrowsError(try a.matmul(a)) { error in
            let e = error as? TorchError
            XCTAssertEqual(e?.operation, "matmul")
            XCTAssertTrue(e?.message.contains("cannot be multiplied") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try a + Tensor.ones([4]))
        XCTAssertThrowsError(try a.reshaped([5]))
        XCTAssertThrowsError(try a.indexSelect(dim: 0, .indices([7])))
        XCTAssertThrowsError(try a.backward()) { XCTAssertTrue("\($0)".contains("scalar"), "\($0)") }
        XCTAssertThrowsError(try Tensor([1, 2, 3], shape: [2, 2]))
        XCTAssertThrowsError(try a.dropout(1.5, training: true, generator: nil))
        XCTAssertThrowsError(try Torch.setThreads(0))
        XCTAssertThrowsError(try TensorArchive.load([("w", a)], from: "/nonexistent/checkpoint.pt"))
        // Still usable after the failures.
        XCTAssertEqual(try a.sum().item(), 6)
    }

    func testAutogradGivesTheDerivative() throws {
        let x = try Tensor([1, -2, 3], shape: [3])
        x.requiresGrad = true
        try x.squared().sum().backward()
        XCTAssertEqual(try x.grad?.floats(), [2, -4, 6])
        let y = try Tensor([1, 2], shape: [2])
        y.requiresGrad = true
        let z = try Torch.withoutGradients { try y.squared().sum() }
        XCTAssertFalse(z.requiresGrad)
        XCTAssertThrowsError(try z.backward())
    }

    func testAdamWStepMatchesTheUpdateRule() throws {
        // First AdamW step: w ← w(1 − lr·wd) − lr · g/(|g| + eps) (bias-corrected moments are g and g²).
        let w = try Tensor([1, -1], shape: [2])
        w.requiresGrad = true
        let opt = try Optimizer(parameters: [w], learningRate: 0.1, weightDecay: 0.5)
        try opt.zeroGrad()
        try (w * Tensor([3, 2], shape: [2])).sum().backward()
        try opt.step()
        let got = try w.floats()
        XCTAssertEqual(got[0], Float(1 * (1 - 0.05) - 0.1), accuracy: 1e-6)
        XCTAssertEqual(got[1], Float(-1 * (1 - 0.05) - 0.1), accuracy: 1e-6)
    }

    func testGradientClippingScalesToTheMaximumNorm() throws {
        let w = try Tensor([0, 0], shape: [2])
        w.requiresGrad = true
        let opt = try Optimizer(parameters: [w], learningRate: 0.1)
        try (w * Tensor([3, 4], shape: [2])).sum().backward()
        XCTAssertEqual(try opt.clipGradients(maxNorm: 1), 5, accuracy: 1e-6)
        let g = try w.grad!.floats()
        XCTAssertEqual(g[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(g[1], 0.8, accuracy: 1e-5)
    }

    func testSaveAndLoadNamedParametersAtomically() throws {
        let dir = NSTemporaryDirectory() + "perturbkit-torch-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/ckpt.pt"
        let g = try Generator(seed: 1)
        let layer = try Linear(3, 2, generator: g)
        try TensorArchive.save(prefixed("layer", layer).map { ($0.name, $0.tensor) }, to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["ckpt.pt"])
        let other = try Linear(3, 2, generator: g)
        XCTAssertNotEqual(try other.weight.floats(), try layer.weight.floats())
        try TensorArchive.load(prefixed("layer", other).map { ($0.name, $0.tensor) }, from: path)
        XCTAssertEqual(try other.weight.floats(), try layer.weight.floats())
        XCTAssertEqual(try other.bias.floats(), try layer.bias.floats())
        let wrong = try Linear(4, 2, generator: g)
        XCTAssertThrowsError(try TensorArchive.load(prefixed("layer", wrong).map { ($0.name, $0.tensor) }, from: path)) {
            XCTAssertTrue("\($0)".contains("layer.weight"), "\($0)")
        }
    }

    func testSameSeedGivesSameInitializationAndDropout() throws {
        func run(_ seed: UInt64) throws -> [Float] {
            let g = try Generator(seed: seed)
            let mlp = try MLP([5, 8, 3], dropout: 0.5, generator: g)
            return try mlp(Tensor.ones([4, 5]), training: true).floats()
        }
        XCTAssertEqual(try run(7), try run(7))
        XCTAssertNotEqual(try run(7), try run(8))
    }
}
