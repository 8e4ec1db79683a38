import CTorchShim

/// The arithmetic of training: float32 throughout, or mixed precision, where libtorch's autocast runs matrix
/// products and the other ops of its lower-precision list in bfloat16 or float16 while parameters, optimizer state
/// and reductions stay float32. float16 runs on CUDA only and needs loss scaling (`GradScaler`, which an
/// `Optimizer` made under it gets by default); bfloat16 has float32's range and runs on the CPU too.
public enum Precision: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = "fp32"
    case bfloat16 = "bf16"
    case float16 = "fp16"

    /// `fp32`, `bf16` or `fp16` (also `float32`, `bfloat16`, `float16`); nil for anything else.
    public init?(parsing text: String) {
        switch text {
        case "fp32", "float32": self = .float32
        case "bf16", "bfloat16": self = .bfloat16
        case "fp16", "float16": self = .float16
        default: return nil
        }
    }

    public var description: String { rawValue }

    /// The shim's code: 0 off, 1 bfloat16, 2 float16.
    var code: Int32 {
        switch self {
        case .float32: 0
        case .bfloat16: 1
        case .float16: 2
        }
    }

    init(code: Int32) { self = code == 1 ? .bfloat16 : code == 2 ? .float16 : .float32 }
}

extension Torch {
    /// This thread's training arithmetic on its current device (`withDevice`).
    public static var precision: Precision { Precision(code: ctorch_autocast()) }

    /// Runs `body` with autocast at `precision` for this thread's current device, restoring the previous setting
    /// after. float16 on the CPU is an error that says so.
    public static func withPrecision<T>(_ precision: Precision, _ body: () throws -> T) throws -> T {
        var previous: Int32 = 0
        try check(ctorch_set_autocast(precision.code, &previous), "autocast(\(precision))")
        defer { _ = ctorch_set_autocast(previous, nil) }
        return try body()
    }

    /// Runs `body` on `device` at `precision` (`withDevice`, then `withPrecision`).
    public static func withDevice<T>(_ device: Device, precision: Precision, _ body: () throws -> T) throws -> T {
        try withDevice(device) { try withPrecision(precision, body) }
    }
}
