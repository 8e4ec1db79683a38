import CTorchShim

/// A libtorch tensor (float32 unless made from indices). The Swift object owns its handle and frees it the moment
/// the last reference goes, so memory tracks the live values of a training step, not a garbage collector.
///
/// Every operation throws `TorchError` instead of aborting: a shape mismatch is an ordinary Swift error.
public final class Tensor: @unchecked Sendable {
    let handle: OpaquePointer

    init(owning handle: OpaquePointer) { self.handle = handle }

    deinit { ctorch_free(handle) }

    /// Wraps a handle returned by the shim, or throws the shim's error for `operation`.
    static func wrap(_ handle: OpaquePointer?, _ operation: String) throws -> Tensor {
        guard let handle else { throw TorchError.last(operation) }
        return Tensor(owning: handle)
    }

    /// A float32 tensor holding `values` (row-major) with `shape`.
    public convenience init(_ values: [Float], shape: [Int]) throws {
        guard shape.reduce(1, *) == values.count else {
            throw TorchError(operation: "from_floats", message: "\(values.count) values do not fill shape \(shape)")
        }
        let dims = shape.map(Int64.init)
        let h = values.withUnsafeBufferPointer { v in
            dims.withUnsafeBufferPointer { ctorch_from_floats(v.baseAddress, $0.baseAddress, Int32(dims.count)) }
        }
        guard let h else { throw TorchError.last("from_floats") }
        self.init(owning: h)
    }

    /// An int64 tensor of indices (for `indexSelect`, `gather` and `crossEntropy`).
    public static func indices(_ values: [Int], shape: [Int]? = nil) throws -> Tensor {
        let shape = shape ?? [values.count]
        guard shape.reduce(1, *) == values.count else {
            throw TorchError(operation: "from_longs", message: "\(values.count) indices do not fill shape \(shape)")
        }
        let data = values.map(Int64.init), dims = shape.map(Int64.init)
        return try wrap(
            data.withUnsafeBufferPointer { v in
                dims.withUnsafeBufferPointer { ctorch_from_longs(v.baseAddress, $0.baseAddress, Int32(dims.count)) }
            },
            "from_longs")
    }

    static func fill(_ kind: Int32, _ shape: [Int], _ a: Double, _ b: Double, _ generator: Generator?) throws -> Tensor {
        let dims = shape.map(Int64.init)
        return try wrap(
            dims.withUnsafeBufferPointer { ctorch_fill(kind, $0.baseAddress, Int32(dims.count), a, b, generator?.handle) }, "fill")
    }

    public static func zeros(_ shape: [Int]) throws -> Tensor { try fill(0, shape, 0, 0, nil) }
    public static func ones(_ shape: [Int]) throws -> Tensor { try fill(1, shape, 0, 0, nil) }
    /// Normal(0, std) values drawn from `generator`.
    public static func normal(_ shape: [Int], std: Double, generator: Generator) throws -> Tensor { try fill(2, shape, std, 0, generator) }
    /// Uniform(low, high) values drawn from `generator`.
    public static func uniform(_ shape: [Int], low: Double, high: Double, generator: Generator) throws -> Tensor {
        try fill(3, shape, low, high, generator)
    }

    /// The sizes of each dimension.
    public var shape: [Int] {
        let n = Int(ctorch_ndim(handle))
        var out = [Int64](repeating: 0, count: Swift.max(n, 0))
        _ = out.withUnsafeMutableBufferPointer { ctorch_shape(handle, $0.baseAddress) }
        return out.map(Int.init)
    }

    /// The number of values.
    public var count: Int { Int(ctorch_numel(handle)) }

    /// The values as float32, row-major.
    public func floats() throws -> [Float] {
        var out = [Float](repeating: 0, count: count)
        try check(out.withUnsafeMutableBufferPointer { ctorch_to_floats(handle, $0.baseAddress, Int64($0.count)) }, "to_floats")
        return out
    }

    /// The value of a one-element tensor.
    public func item() throws -> Float {
        guard count == 1 else { throw TorchError(operation: "item", message: "tensor of shape \(shape) is not a scalar") }
        return try floats()[0]
    }

    /// Whether gradients are recorded for this tensor.
    public var requiresGrad: Bool {
        get { ctorch_requires_grad(handle) != 0 }
        set { _ = ctorch_set_requires_grad(handle, newValue ? 1 : 0) }
    }

    /// The accumulated gradient, if any.
    public var grad: Tensor? { ctorch_grad(handle).map { Tensor(owning: $0) } }

    /// The same values, cut from the graph.
    public func detached() throws -> Tensor { try Tensor.wrap(ctorch_detach(handle), "detach") }
    /// A copy of the values.
    public func cloned() throws -> Tensor { try Tensor.wrap(ctorch_clone(handle), "clone") }
    /// Overwrites this tensor's values with `source`'s (same shape), outside the graph.
    public func assign(_ source: Tensor) throws { try check(ctorch_copy_(handle, source.handle), "copy_") }

    /// Backpropagates from this scalar into every tensor that requires gradients.
    public func backward() throws { try check(ctorch_backward(handle), "backward") }
}
