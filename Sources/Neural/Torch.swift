import CTorchShim

/// libtorch's process-wide settings: the seed of its generator, its thread count and gradient recording.
public enum Torch {
    /// Seeds libtorch's default generator (parameter initialization, dropout, noise).
    public static func manualSeed(_ seed: UInt64) { ctorch_manual_seed(seed) }

    /// libtorch's intra-op thread count. Results are reproducible for a fixed seed and thread count.
    public static var threads: Int { Int(ctorch_get_num_threads()) }

    /// Sets the intra-op thread count (at least 1).
    public static func setThreads(_ count: Int) throws {
        try check(ctorch_set_num_threads(Int32(count)), "set_num_threads")
    }

    /// Runs `body` without recording gradients (as `torch.no_grad()`), restoring the previous mode after.
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
        let previous = ctorch_set_grad_enabled(0)
        defer { _ = ctorch_set_grad_enabled(previous) }
        return try body()
    }
}
