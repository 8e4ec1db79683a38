import CTorchShim

/// A seeded random generator of libtorch's own, owned by one model: initialization and dropout draw from it, so
/// results depend on the seed alone, not on what else uses libtorch's global generator.
public final class Generator: @unchecked Sendable {
    let handle: OpaquePointer

    public init(seed: UInt64) throws {
        guard let h = ctorch_generator_new(seed) else { throw TorchError.last("generator") }
        handle = h
    }

    deinit { ctorch_generator_free(handle) }
}
