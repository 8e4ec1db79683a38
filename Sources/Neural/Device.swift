import CTorchShim

/// Where tensors live and run: the CPU, or a CUDA device of a CUDA-enabled libtorch (`LIBTORCH=… swift build`;
/// Debian's libtorch is CPU-only).
public enum Device: Sendable, Equatable, Hashable, CustomStringConvertible {
    case cpu
    case cuda(Int)

    /// `cpu`, `cuda` (device 0) or `cuda:K`; nil for anything else.
    public init?(parsing text: String) {
        switch text {
        case "cpu": self = .cpu
        case "cuda": self = .cuda(0)
        default:
            guard text.hasPrefix("cuda:"), let k = Int(text.dropFirst(5)), k >= 0 else { return nil }
            self = .cuda(k)
        }
    }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let k): "cuda:\(k)"
        }
    }

    /// The shim's code: -1 the CPU, k CUDA device k.
    var code: Int32 {
        switch self {
        case .cpu: -1
        case .cuda(let k): Int32(k)
        }
    }

    init(code: Int32) { self = code < 0 ? .cpu : .cuda(Int(code)) }
}

extension Torch {
    /// CUDA devices the linked libtorch can use (0 with a CPU-only libtorch or without a GPU).
    public static var cudaDeviceCount: Int { Int(ctorch_cuda_device_count()) }

    /// Runs `body` with this thread's new tensors created on `device` (random fills are drawn on the CPU and
    /// moved, so a seed gives the same draws everywhere), restoring the previous device after. A CUDA device the
    /// linked libtorch does not see is an error that says so.
    public static func withDevice<T>(_ device: Device, _ body: () throws -> T) throws -> T {
        let previous = ctorch_default_device()
        try check(ctorch_set_default_device(device.code), "set_default_device(\(device))")
        defer { _ = ctorch_set_default_device(previous) }
        return try body()
    }
}

extension Tensor {
    /// The device this tensor lives on.
    public var device: Device { Device(code: ctorch_device(handle)) }

    /// Moves this tensor's data to `device` in place; it stays a leaf with its requires-grad flag.
    public func move(to device: Device) throws {
        try check(ctorch_move_(handle, device.code), "move(to: \(device))")
    }
}
