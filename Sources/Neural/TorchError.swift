import CTorchShim

/// A failure inside libtorch (a shape mismatch, an invalid argument, an unreadable checkpoint), carried as a
/// Swift error with libtorch's own message instead of an abort.
public struct TorchError: Error, CustomStringConvertible, Sendable {
    /// The operation that failed (`matmul`, `load`, …).
    public let operation: String
    /// libtorch's message.
    public let message: String

    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    /// The error for the last failure on this thread.
    static func last(_ operation: String) -> TorchError {
        TorchError(operation: operation, message: String(cString: ctorch_last_error()))
    }

    public var description: String { "libtorch \(operation) failed: \(message)" }
}

/// Turns a shim status into a thrown error.
@inline(__always)
func check(_ status: Int32, _ operation: String) throws {
    if status != 0 { throw TorchError.last(operation) }
}
