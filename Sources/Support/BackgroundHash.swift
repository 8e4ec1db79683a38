import Dispatch
import Foundation

/// A file's SHA-256 computed on a background thread, started now and collected later — used to hash an input
/// while the main thread is busy in single-threaded work on it (reading it through libhdf5).
public final class BackgroundHash: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<String, Error> = .success("")

    /// Starts hashing `path`.
    public init(path: String) {
        DispatchQueue.global(qos: .utility).async { [self] in
            result = Result { try SHA256Hasher.hex(ofFile: path) }
            done.signal()
        }
    }

    /// Waits for the digest (hex).
    public func value() throws -> String {
        done.wait()
        done.signal()
        return try result.get()
    }
}
