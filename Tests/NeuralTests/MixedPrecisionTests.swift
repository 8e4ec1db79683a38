import XCTest

@testable import Neural

final class MixedPrecisionTests: XCTestCase {
    func testPrecisionNamesParse() {
        XCTAssertEqual(Precision(parsing: "fp32"), .float32)
        XCTAssertEqual(Precision(parsing: "bf16"), .bfloat16)
        XCTAssertEqual(Precision(parsing: "bfloat16"), .bfloat16)
        XCTAssertEqual(Precision(parsing: "fp16"), .float16)
        for bad in ["", "FP16", "half", "fp8"] { XCTAssertNil(Precision(parsing: bad), bad) }
    }

    /// 1 + 2⁻¹⁰ is exact in float32 but rounds to 1 in bfloat16 (8 significant bits): a matrix product under
    /// bfloat16 autocast shows it, one outside does not, and the setting is restored after the scope.
    func testBFloat16AutocastRunsMatrixProductsInBFloat16OnTheCPUAndIsScoped() throws {
        let x = try Tensor([1 + 1.0 / 1024], shape: [1, 1]), one = try Tensor([1], shape: [1, 1])
        XCTAssertEqual(Torch.precision, .float32)
        XCTAssertEqual(try x.matmul(one).item(), 1 + 1.0 / 1024)
        let inside = try Torch.withPrecision(.bfloat16) { () -> Float in
            XCTAssertEqual(Torch.precision, .bfloat16)
            // Element-wise ops are not on autocast's list: still float32.
            XCTAssertEqual(try (x * one).item(), 1 + 1.0 / 1024)
            return try x.matmul(one).item()
        }
        XCTAssertEqual(inside, 1)
        XCTAssertEqual(Torch.precision, .float32)
        XCTAssertEqual(try x.matmul(one).item(), 1 + 1.0 / 1024)
    }

    func testFloat16OnTheCPUIsAnErrorThatSaysSo() throws {
        XCTAssertThrowsError(try Torch.withPrecision(.float16) {}) { error in
            XCTAssertTrue("\(error)".contains("float16 mixed precision runs on a CUDA device"), "\(error)")
        }
        XCTAssertEqual(Torch.precision, .float32)
    }

    /// Parameters change between steps; a cast cached from before the step would give the old product.
    func testAProductUnderAutocastSeesTheParameterAfterAnOptimizerStep() throws {
        try Torch.withPrecision(.bfloat16) {
            let w = try Tensor([1], shape: [1, 1])
            w.requiresGrad = true
            let x = try Tensor([2], shape: [1, 1])
            let optimizer = try Optimizer(parameters: [w], learningRate: 0.5, weightDecay: 0)
            XCTAssertNil(optimizer.scaler)
            let before = try x.matmul(w).item()
            try optimizer.minimize(try x.matmul(w).sum())
            // Adam's first step moves w by the learning rate against the gradient's sign: 1 → 0.5.
            XCTAssertEqual(try w.item(), 0.5, accuracy: 1e-6)
            XCTAssertEqual(before, 2)
            XCTAssertEqual(try x.matmul(w).item(), 1)
        }
    }

    /// A scaled step gives the unscaled step's parameters; non-finite gradients skip the step and halve the
    /// scale; `growthInterval` good steps in a row double it.
    func testGradScalerUnscalesSkipsNonFiniteStepsAndGrows() throws {
        func parameter() throws -> Tensor {
            let w = try Tensor([1, -2], shape: [2])
            w.requiresGrad = true
            return w
        }
        let plain = try parameter(), scaled = try parameter()
        let scaler = GradScaler(scale: 8, growthInterval: 2)
        let a = try Optimizer(parameters: [plain], learningRate: 0.1, weightDecay: 0)
        let b = try Optimizer(parameters: [scaled], learningRate: 0.1, weightDecay: 0, scaler: scaler)
        let x = try Tensor([3, 0.5], shape: [2])
        XCTAssertTrue(try a.minimize(try (plain * x).squared().sum()))
        XCTAssertTrue(try b.minimize(try (scaled * x).squared().sum()))
        // The gradient left in place is the unscaled one: d/dw Σ (w x)² = 2 w x² = [18, -1].
        XCTAssertEqual(try XCTUnwrap(scaled.grad).floats(), [18, -1])
        XCTAssertEqual(try scaled.floats(), try plain.floats())
        XCTAssertEqual(scaler.scale, 8)

        let kept = try scaled.floats()
        let infinite = try Tensor([Float.infinity, 1], shape: [2])
        XCTAssertFalse(try b.minimize(try (scaled * infinite).sum()))
        XCTAssertEqual(try scaled.floats(), kept)
        XCTAssertEqual(scaler.scale, 4)
        XCTAssertEqual(scaler.skippedSteps, 1)

        XCTAssertTrue(try b.minimize(try (scaled * x).sum()))
        XCTAssertEqual(scaler.scale, 4)
        XCTAssertTrue(try b.minimize(try (scaled * x).sum()))
        XCTAssertEqual(scaler.scale, 8)
        XCTAssertEqual(scaler.goodSteps, 0)
    }

    /// The CUDA path at float16: the optimizer made under it scales the loss, and the trained parameter follows
    /// the float32 one closely.
    func testFloat16TrainingOnCUDAFollowsFloat32() throws {
        guard Torch.cudaDeviceCount > 0 else {
            throw XCTSkip("no CUDA device: the linked libtorch sees none (Debian's libtorch is CPU-only)")
        }
        func train(_ precision: Precision) throws -> ([Float], GradScaler?) {
            try Torch.withDevice(.cuda(0), precision: precision) {
                let w = try Tensor.normal([16, 8], std: 0.3, generator: Generator(seed: 3))
                w.requiresGrad = true
                let x = try Tensor.normal([64, 16], std: 1, generator: Generator(seed: 4))
                let y = try Tensor.normal([64, 8], std: 1, generator: Generator(seed: 5))
                let optimizer = try Optimizer(parameters: [w], learningRate: 0.01, weightDecay: 0)
                for _ in 0..<20 { try optimizer.minimize(try Loss.mse(x.matmul(w), y)) }
                try w.move(to: .cpu)
                return (try w.floats(), optimizer.scaler)
            }
        }
        let (full, none) = try train(.float32)
        let (half, scaler) = try train(.float16)
        let (brain, _) = try train(.bfloat16)
        XCTAssertNil(none)
        XCTAssertEqual(try XCTUnwrap(scaler).skippedSteps, 0)
        for (a, b) in zip(full, half) { XCTAssertEqual(a, b, accuracy: 2e-3) }
        for (a, b) in zip(full, brain) { XCTAssertEqual(a, b, accuracy: 2e-2) }
        XCTAssertNotEqual(full, half, "float16 autocast changed nothing: was it on?")
    }
}
