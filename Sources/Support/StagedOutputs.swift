import Foundation

/// Several output files written as one unit into a directory: a killed run leaves either all of them under their
/// final names, with the completion marker (normally `manifest.json`), or none of this run's.
///
/// Files are written into a private staging directory inside the output directory (same file system, so moving
/// them is a rename). `commit` removes the previous run's marker and files of the same names, renames each staged
/// file into place and renames the marker last: the marker's presence means the set beside it is complete and
/// from one run. Staging directories and `AtomicFile` temporaries left by killed runs (their process is gone) are
/// removed when the next run starts.
public struct StagedOutputs {
    /// The output directory.
    public let directory: String
    /// Where files are written before `commit`.
    public let staging: String
    /// The file written last, whose presence marks a complete set.
    public let marker: String

    /// Creates `directory` (a clear error when a file is in the way), cleans what killed runs left and makes a
    /// fresh staging directory.
    public init(directory: String, marker: String = "manifest.json") throws {
        self.directory = directory
        self.marker = marker
        let manager = FileManager.default
        try StagedOutputs.checkDestination(directory)
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StagedOutputsError.cannotCreate(path: directory, reason: (error as NSError).localizedDescription)
        }
        StagedOutputs.removeAbandoned(in: directory)
        staging = directory + "/.staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: false)
        } catch {
            throw StagedOutputsError.cannotCreate(path: staging, reason: (error as NSError).localizedDescription)
        }
    }

    /// Throws when `directory` exists as something other than a directory; creates nothing (call it before
    /// long work, so a wrong `-o` fails at once).
    public static func checkDestination(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw StagedOutputsError.notADirectory(path: directory)
        }
    }

    /// Where to write the output called `name` (a plain file name) before `commit`.
    public func path(_ name: String) -> String { staging + "/" + name }

    /// Where the output called `name` ends up.
    public func finalPath(_ name: String) -> String { directory + "/" + name }

    /// Moves every staged file into `directory`, the marker last, and removes the staging directory.
    public func commit() throws {
        let manager = FileManager.default
        let names = try manager.contentsOfDirectory(atPath: staging).sorted()
        guard names.contains(marker) else { throw StagedOutputsError.noMarker(path: path(marker)) }
        // Without the old marker, the directory no longer claims to hold a complete set while files change.
        unlink(finalPath(marker))
        for name in names where name != marker {
            guard rename(path(name), finalPath(name)) == 0 else {
                throw StagedOutputsError.renameFailed(path: finalPath(name), reason: String(cString: strerror(errno)))
            }
        }
        guard rename(path(marker), finalPath(marker)) == 0 else {
            throw StagedOutputsError.renameFailed(path: finalPath(marker), reason: String(cString: strerror(errno)))
        }
        try? manager.removeItem(atPath: staging)
    }

    /// Removes the staging directory and everything in it (after a failure).
    public func abandon() { try? FileManager.default.removeItem(atPath: staging) }

    /// Removes staging directories and `AtomicFile` temporaries in `directory` whose writing process is gone.
    static func removeAbandoned(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            let pid: Int32?
            if name.hasPrefix(".staging-") {
                pid = Int32(name.dropFirst(".staging-".count).prefix { $0 != "-" })
            } else {
                pid = AtomicFile.writerPID(ofTemporary: name)
            }
            guard let pid, pid > 0, !isAlive(pid) else { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// Whether process `pid` exists (a process of another user counts as alive).
    static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }
}

/// Why staged outputs could not be written.
public enum StagedOutputsError: Error, CustomStringConvertible {
    case notADirectory(path: String)
    case cannotCreate(path: String, reason: String)
    case noMarker(path: String)
    case renameFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let p): return "\(p): is a file, but the output must be a directory (choose another -o)"
        case .cannotCreate(let p, let reason): return "\(p): cannot create the output directory: \(reason)"
        case .noMarker(let p): return "\(p): was not written, so the outputs beside it were not moved into place"
        case .renameFailed(let p, let reason): return "\(p): could not move the finished file into place: \(reason)"
        }
    }
}
