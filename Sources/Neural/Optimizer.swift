import CTorchShim
import Foundation

/// Adam or AdamW (libtorch's own implementations) over a fixed list of parameters.
public final class Optimizer: @unchecked Sendable {
    let handle: OpaquePointer
    /// The parameters it updates (kept alive with it).
    public let parameters: [Tensor]

    /// Loss scaling for float16 training (`minimize` uses it), or nil.
    public let scaler: GradScaler?

    /// AdamW (decoupled weight decay) when `decoupled`, else Adam with L2 added to the gradient. `scaler` defaults
    /// to a fresh `GradScaler` when the optimizer is made under float16 mixed precision (`Torch.withPrecision`).
    public init(
        parameters: [Tensor], learningRate: Double, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0.01, decoupled: Bool = true,
        scaler: GradScaler? = Torch.precision == .float16 ? GradScaler() : nil
    ) throws {
        let handles: [OpaquePointer?] = parameters.map { $0.handle }
        guard
            let h = handles.withUnsafeBufferPointer({
                ctorch_adam_new($0.baseAddress, Int32(handles.count), learningRate, betas.0, betas.1, eps, weightDecay, decoupled ? 1 : 0)
            })
        else { throw TorchError.last("optimizer") }
        handle = h
        self.parameters = parameters
        self.scaler = scaler
    }

    deinit { ctorch_optimizer_free(handle) }

    public func zeroGrad() throws { try check(ctorch_optimizer_zero_grad(handle), "zero_grad") }
    public func step() throws { try check(ctorch_optimizer_step(handle), "step") }
    public func setLearningRate(_ lr: Double) throws { try check(ctorch_optimizer_set_lr(handle, lr), "set_lr") }

    /// One optimization step on `loss`: zero the gradients, run the backward pass outside autocast (the loss
    /// multiplied by the scaler's scale when there is a scaler, the gradients divided by it after), clip them to
    /// `clip` (0: no clipping) and step. A scaled step whose gradients are not all finite is skipped; returns
    /// whether the step was taken.
    @discardableResult
    public func minimize(_ loss: Tensor, clip: Double = 0) throws -> Bool {
        try Torch.withPrecision(.float32) {
            try zeroGrad()
            if let scaler {
                try loss.affine(scale: scaler.scale).backward()
                guard try scaler.unscale(parameters) else { return false }
            } else {
                try loss.backward()
            }
            if clip > 0 { try clipGradients(maxNorm: clip) }
            try step()
            return true
        }
    }

    /// Rescales the gradients so their joint L2 norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public func clipGradients(maxNorm: Double) throws -> Double {
        var norm = 0.0
        let handles: [OpaquePointer?] = parameters.map { $0.handle }
        try check(
            handles.withUnsafeBufferPointer { ctorch_clip_grad_norm($0.baseAddress, Int32(handles.count), maxNorm, &norm) },
            "clip_grad_norm")
        return norm
    }
}

/// Saving and loading named tensors in libtorch's archive format.
public enum TensorArchive {
    /// Writes `tensors` to `path` atomically: a temporary file in the same folder, then a rename.
    public static func save(_ tensors: [(name: String, tensor: Tensor)], to path: String) throws {
        let temporary = path + ".partial-\(getpid())"
        try withCStrings(tensors.map { $0.name }) { names in
            let handles: [OpaquePointer?] = tensors.map { $0.tensor.handle }
            try check(
                handles.withUnsafeBufferPointer { ctorch_save(temporary, names, $0.baseAddress, Int32(handles.count)) }, "save \(path)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw TorchError(operation: "save", message: "\(path): cannot move the checkpoint into place (errno \(errno))")
        }
    }

    /// Reads the named tensors from `path` into `tensors` (each must have the saved shape).
    public static func load(_ tensors: [(name: String, tensor: Tensor)], from path: String) throws {
        try withCStrings(tensors.map { $0.name }) { names in
            let handles: [OpaquePointer?] = tensors.map { $0.tensor.handle }
            try check(handles.withUnsafeBufferPointer { ctorch_load(path, names, $0.baseAddress, Int32(handles.count)) }, "load \(path)")
        }
    }

    private static func withCStrings(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> Void) throws {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
        try pointers.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}
