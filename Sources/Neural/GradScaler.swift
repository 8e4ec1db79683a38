import CTorchShim

/// Dynamic loss scaling for float16 training, as PyTorch's `torch.amp.GradScaler`: the loss is multiplied by
/// `scale` before the backward pass so small gradients do not flush to zero in float16, the gradients are divided
/// by it before the step, and a step whose gradients hold an infinity or NaN is skipped and halves the scale; after
/// `growthInterval` good steps in a row the scale doubles.
public final class GradScaler: @unchecked Sendable {
    /// The current loss scale.
    public private(set) var scale: Double
    public let growthFactor: Double
    public let backoffFactor: Double
    public let growthInterval: Int
    /// Good steps since the scale last changed.
    public private(set) var goodSteps = 0
    /// Steps skipped for non-finite gradients, over the scaler's life.
    public private(set) var skippedSteps = 0

    /// PyTorch's defaults: scale 2¹⁶, growth ×2 every 2,000 good steps, backoff ×0.5.
    public init(scale: Double = 65536, growthFactor: Double = 2, backoffFactor: Double = 0.5, growthInterval: Int = 2000) {
        self.scale = scale
        self.growthFactor = growthFactor
        self.backoffFactor = backoffFactor
        self.growthInterval = growthInterval
    }

    /// Divides the gradients of `parameters` by the scale and reports whether all are finite; updates the scale
    /// for the step that follows (or is skipped).
    func unscale(_ parameters: [Tensor]) throws -> Bool {
        var nonfinite: Int32 = 0
        let handles: [OpaquePointer?] = parameters.map { $0.handle }
        try check(
            handles.withUnsafeBufferPointer { ctorch_unscale_grads($0.baseAddress, Int32(handles.count), 1 / scale, &nonfinite) },
            "unscale_grads")
        if nonfinite != 0 {
            scale *= backoffFactor
            goodSteps = 0
            skippedSteps += 1
            return false
        }
        goodSteps += 1
        if goodSteps == growthInterval {
            scale *= growthFactor
            goodSteps = 0
        }
        return true
    }
}
