import CTorchShim

/// Arithmetic, activations, reductions and shape operations, each a libtorch call recorded for autograd.
extension Tensor {
    private func binary(_ op: ctorch_binary_op, _ other: Tensor, _ name: String) throws -> Tensor {
        try Tensor.wrap(ctorch_binary(Int32(op.rawValue), handle, other.handle), name)
    }

    private func unary(_ op: ctorch_unary_op, _ name: String) throws -> Tensor {
        try Tensor.wrap(ctorch_unary(Int32(op.rawValue), handle), name)
    }

    /// Broadcasting elementwise arithmetic.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CTORCH_ADD, b, "add") }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CTORCH_SUB, b, "sub") }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CTORCH_MUL, b, "mul") }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CTORCH_DIV, b, "div") }
    /// Matrix product (batched and broadcast as `torch.matmul`).
    public func matmul(_ other: Tensor) throws -> Tensor { try binary(CTORCH_MATMUL, other, "matmul") }
    public func maximum(_ other: Tensor) throws -> Tensor { try binary(CTORCH_MAXIMUM, other, "maximum") }
    public func minimum(_ other: Tensor) throws -> Tensor { try binary(CTORCH_MINIMUM, other, "minimum") }

    public func negated() throws -> Tensor { try unary(CTORCH_NEG, "neg") }
    public func exp() throws -> Tensor { try unary(CTORCH_EXP, "exp") }
    public func log() throws -> Tensor { try unary(CTORCH_LOG, "log") }
    public func sqrt() throws -> Tensor { try unary(CTORCH_SQRT, "sqrt") }
    public func abs() throws -> Tensor { try unary(CTORCH_ABS, "abs") }
    public func squared() throws -> Tensor { try unary(CTORCH_SQUARE, "square") }
    public func relu() throws -> Tensor { try unary(CTORCH_RELU, "relu") }
    public func gelu() throws -> Tensor { try unary(CTORCH_GELU, "gelu") }
    public func tanh() throws -> Tensor { try unary(CTORCH_TANH, "tanh") }
    public func sigmoid() throws -> Tensor { try unary(CTORCH_SIGMOID, "sigmoid") }
    public func softplus() throws -> Tensor { try unary(CTORCH_SOFTPLUS, "softplus") }
    public func silu() throws -> Tensor { try unary(CTORCH_SILU, "silu") }
    /// This tensor in float32 (itself when it already is); differentiable. Mixed-precision outputs come back to
    /// float32 with it before a loss.
    public func float32() throws -> Tensor { try unary(CTORCH_FLOAT32, "to(float32)") }

    /// `self * scale + shift`.
    public func affine(scale: Double, shift: Double = 0) throws -> Tensor { try Tensor.wrap(ctorch_affine(handle, scale, shift), "affine") }
    public func pow(_ exponent: Double) throws -> Tensor { try Tensor.wrap(ctorch_pow(handle, exponent), "pow") }
    public func clamped(_ low: Double, _ high: Double) throws -> Tensor { try Tensor.wrap(ctorch_clamp(handle, low, high), "clamp") }

    private func reduce(_ op: ctorch_reduce_op, _ dim: Int?, _ keep: Bool, _ name: String) throws -> Tensor {
        try Tensor.wrap(ctorch_reduce(Int32(op.rawValue), handle, Int64(dim ?? 0), keep ? 1 : 0, dim == nil ? 1 : 0), name)
    }

    /// Sum over `dim`, or over everything when `dim` is nil.
    public func sum(dim: Int? = nil, keepingDimension keep: Bool = false) throws -> Tensor { try reduce(CTORCH_SUM, dim, keep, "sum") }
    public func mean(dim: Int? = nil, keepingDimension keep: Bool = false) throws -> Tensor { try reduce(CTORCH_MEAN, dim, keep, "mean") }
    public func logSumExp(dim: Int? = nil, keepingDimension keep: Bool = false) throws -> Tensor {
        try reduce(CTORCH_LOGSUMEXP, dim, keep, "logsumexp")
    }
    public func max(dim: Int? = nil, keepingDimension keep: Bool = false) throws -> Tensor { try reduce(CTORCH_MAX, dim, keep, "max") }
    /// Population variance (divides by n).
    public func variance(dim: Int? = nil, keepingDimension keep: Bool = false) throws -> Tensor { try reduce(CTORCH_VAR, dim, keep, "var") }

    public func reshaped(_ shape: [Int]) throws -> Tensor {
        let dims = shape.map(Int64.init)
        return try Tensor.wrap(dims.withUnsafeBufferPointer { ctorch_reshape(handle, $0.baseAddress, Int32(dims.count)) }, "reshape")
    }
    public func transposed(_ a: Int = 0, _ b: Int = 1) throws -> Tensor {
        try Tensor.wrap(ctorch_transpose(handle, Int64(a), Int64(b)), "transpose")
    }
    public func softmax(dim: Int) throws -> Tensor { try Tensor.wrap(ctorch_softmax(handle, Int64(dim), 0), "softmax") }
    public func logSoftmax(dim: Int) throws -> Tensor { try Tensor.wrap(ctorch_softmax(handle, Int64(dim), 1), "log_softmax") }

    /// Layer normalization over the last `dimensions` dimensions, with optional elementwise weight and bias.
    public func layerNorm(dimensions: Int = 1, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws -> Tensor {
        try Tensor.wrap(ctorch_layer_norm(handle, Int32(dimensions), weight?.handle, bias?.handle, eps), "layer_norm")
    }

    /// Inverted dropout with probability `p` while `training`; the identity otherwise.
    public func dropout(_ p: Double, training: Bool, generator: Generator?) throws -> Tensor {
        try Tensor.wrap(ctorch_dropout(handle, p, training ? 1 : 0, generator?.handle), "dropout")
    }

    /// Rows (dim 0) or other slices picked by an index tensor.
    public func indexSelect(dim: Int, _ index: Tensor) throws -> Tensor {
        try Tensor.wrap(ctorch_index_select(handle, Int64(dim), index.handle), "index_select")
    }
    public func gather(dim: Int, _ index: Tensor) throws -> Tensor {
        try Tensor.wrap(ctorch_gather(handle, Int64(dim), index.handle), "gather")
    }

    /// The values sorted ascending along `dim` (differentiable: gradients follow the permutation).
    public func sorted(dim: Int) throws -> Tensor { try Tensor.wrap(ctorch_sort(handle, Int64(dim)), "sort") }

    /// Concatenation along `dim`.
    public static func cat(_ tensors: [Tensor], dim: Int) throws -> Tensor {
        let handles: [OpaquePointer?] = tensors.map { $0.handle }
        return try withExtendedLifetime(tensors) {
            try wrap(handles.withUnsafeBufferPointer { ctorch_cat($0.baseAddress, Int32(handles.count), Int64(dim)) }, "cat")
        }
    }

    /// Scaled dot-product attention softmax(q kᵀ/√d + mask) v over the last two dimensions.
    public static func attention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil) throws -> Tensor {
        try wrap(ctorch_attention(query.handle, key.handle, value.handle, mask?.handle), "attention")
    }
}

/// Losses, as torch.nn.functional computes them (mean reduction).
public enum Loss {
    public static func mse(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try Tensor.wrap(ctorch_mse(prediction.handle, target.handle), "mse_loss")
    }
    /// Cross entropy of logits (n × classes) against class indices (n, int64).
    public static func crossEntropy(_ logits: Tensor, _ targets: Tensor) throws -> Tensor {
        try Tensor.wrap(ctorch_cross_entropy(logits.handle, targets.handle), "cross_entropy")
    }
    /// Gaussian negative log-likelihood (torch.nn.GaussianNLLLoss, full = false, eps 1e-6).
    public static func gaussianNLL(mean: Tensor, target: Tensor, variance: Tensor) throws -> Tensor {
        try Tensor.wrap(ctorch_gaussian_nll(mean.handle, target.handle, variance.handle), "gaussian_nll_loss")
    }
}
