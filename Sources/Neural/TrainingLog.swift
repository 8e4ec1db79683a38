import Foundation

/// Where training progress lines go. Silent by default (library use, tests); the command-line tool points it at
/// stderr unless `--quiet`.
public enum TrainingLog {
    private final class Sink: @unchecked Sendable {
        let lock = NSLock()
        var write: (@Sendable (String) -> Void)?
    }
    private static let sink = Sink()

    /// Sends every progress line to `write` (nil: silence).
    public static func setSink(_ write: (@Sendable (String) -> Void)?) {
        sink.lock.lock()
        sink.write = write
        sink.lock.unlock()
    }

    /// Progress lines on standard error.
    public static let standardError: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    static func emit(_ line: @autoclosure () -> String) {
        sink.lock.lock()
        let write = sink.write
        sink.lock.unlock()
        write?(line())
    }
}
