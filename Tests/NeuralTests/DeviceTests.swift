import XCTest

@testable import Neural

final class DeviceTests: XCTestCase {
    func testDeviceNamesParse() {
        XCTAssertEqual(Device(parsing: "cpu"), .cpu)
        XCTAssertEqual(Device(parsing: "cuda"), .cuda(0))
        XCTAssertEqual(Device(parsing: "cuda:2"), .cuda(2))
        for bad in ["gpu", "cuda:", "cuda:-1", "CUDA", "cuda:x"] { XCTAssertNil(Device(parsing: bad), bad) }
        XCTAssertEqual(Device.cuda(1).description, "cuda:1")
    }

    func testTensorsAreMadeOnTheScopedDeviceAndTheCPUIsTheDefault() throws {
        let outside = try Tensor([1, 2], shape: [2])
        XCTAssertEqual(outside.device, .cpu)
        let inside = try Torch.withDevice(.cpu) { try Tensor.normal([3], std: 1, generator: Generator(seed: 1)) }
        XCTAssertEqual(inside.device, .cpu)
        try inside.move(to: .cpu)
        XCTAssertEqual(inside.device, .cpu)
    }

    func testACUDADeviceThatIsNotThereIsAnErrorThatSaysSo() throws {
        let count = Torch.cudaDeviceCount
        XCTAssertThrowsError(try Torch.withDevice(.cuda(count)) { try Tensor.zeros([1]) }) { error in
            XCTAssertTrue("\(error)".contains("CUDA device \(count) requested"), "\(error)")
        }
        // The failed switch leaves the thread on the CPU.
        XCTAssertEqual(try Tensor.zeros([1]).device, .cpu)
        XCTAssertThrowsError(try Tensor.zeros([1]).move(to: .cuda(count)))
    }

    /// The CUDA path: a parameter moved to the GPU trains there, draws match the CPU's, and it comes back.
    func testTrainingStepOnCUDAMatchesTheCPU() throws {
        guard Torch.cudaDeviceCount > 0 else {
            throw XCTSkip("no CUDA device: the linked libtorch sees none (Debian's libtorch is CPU-only)")
        }
        func step(_ device: Device) throws -> [Float] {
            try Torch.withDevice(device) {
                let w = try Tensor.normal([4, 3], std: 1, generator: Generator(seed: 7))
                w.requiresGrad = true
                let x = try Tensor.normal([5, 4], std: 1, generator: Generator(seed: 8))
                XCTAssertEqual(w.device, device)
                let optimizer = try Optimizer(parameters: [w], learningRate: 0.1)
                try optimizer.zeroGrad()
                try x.matmul(w).squared().mean().backward()
                try optimizer.step()
                try w.move(to: .cpu)
                return try w.floats()
            }
        }
        let cpu = try step(.cpu), gpu = try step(.cuda(0))
        for (a, b) in zip(cpu, gpu) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }
}
