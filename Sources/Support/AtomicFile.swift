import Foundation

/// Writes files so that a crash never leaves a partial result: content goes to a temporary file in the
/// destination's directory, which is then renamed over the destination.
public enum AtomicFile {
    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        let temporary = URL(fileURLWithPath: temporaryPath(for: path))
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, path) == 0 else {
                throw AtomicFileError.renameFailed(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
    }

    /// Streams content to `path` atomically: `produce` is handed a sink that appends to the temporary file,
    /// which is renamed over `path` only when `produce` returns without throwing.
    public static func stream(to path: String, _ produce: ((Data) throws -> Void) throws -> Void) throws {
        let temporary = URL(fileURLWithPath: temporaryPath(for: path))
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: temporary)
        else {
            throw AtomicFileError.renameFailed(path: path, reason: "cannot create a temporary file beside it")
        }
        do {
            try produce { try handle.write(contentsOf: $0) }
            try handle.close()
            guard rename(temporary.path, path) == 0 else {
                throw AtomicFileError.renameFailed(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? handle.close()
            unlink(temporary.path)
            throw error
        }
    }

    /// Copies the file at `source` to `path` atomically (a copy cut short never appears under `path`).
    public static func copy(from source: String, to path: String) throws {
        let temporary = temporaryPath(for: path)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
            guard rename(temporary, path) == 0 else {
                throw AtomicFileError.renameFailed(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// A fresh temporary name beside `path`: `.NAME.tmp-PID-RANDOM` (`StagedOutputs` removes those of dead processes).
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    }

    /// The process that was writing, when `name` is one of `temporaryPath`'s names; nil for any other name.
    static func writerPID(ofTemporary name: String) -> Int32? {
        guard name.hasPrefix("."), let range = name.range(of: ".tmp-", options: .backwards) else { return nil }
        let parts = name[range.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && UInt32(parts[1]) != nil ? Int32(parts[0]) : nil
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}

/// A failed atomic write.
public enum AtomicFileError: Error, CustomStringConvertible {
    case renameFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .renameFailed(let path, let reason): return "\(path): could not move the finished file into place: \(reason)"
        }
    }
}
