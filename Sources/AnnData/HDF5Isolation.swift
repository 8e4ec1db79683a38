import CHDF5
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps a corrupt file from crashing the process: before a file is opened, a separate process walks it with
/// libhdf5 (`HDF5Walk`), closes it and exits. When that process dies of a signal or stops making progress, the
/// file is refused as corrupt, naming the object being read; otherwise this process reads it itself, through
/// calls the walk has already survived on the same bytes.
///
/// Why this design: Debian 12's libhdf5 1.10.8 trusts addresses, lengths and sizes inside the file (one changed
/// byte crashes it in about a quarter of mutants: global-heap reads of variable-length strings, object headers,
/// dataspace selections, closing), no newer libhdf5 is packaged for it, and checking every structure libhdf5
/// dereferences would mean re-implementing its parser. The walk runs in a freshly started helper executable
/// (`perturb-hdf5-check`, built beside `perturb`), not a `fork` of this process: a forked child of a
/// multithreaded process may inherit a lock another thread held (the Swift runtime's, Foundation's) and hang.
/// The helper is found through `PERTURB_HDF5_CHECK`, else beside the running executable; without one, files
/// are read unchecked. The check is paid on every open (a file can change between two opens without its size or
/// modification time showing it), so results are not cached.
public enum HDF5Isolation {
    /// The argument that makes a helper walk the file that follows it (`perturb-hdf5-check __hdf5-walk FILE`).
    public static let walkArgument = "__hdf5-walk"

    /// Set `PERTURB_TRUST_HDF5=1` to skip the check (only to measure what it costs).
    static var enabled: Bool { ProcessInfo.processInfo.environment["PERTURB_TRUST_HDF5"] != "1" }

    /// Seconds the helper may go without reaching a new object before it is taken to be looping on corrupt
    /// metadata and killed (`PERTURB_HDF5_STALL_SECONDS`, default 60; the walk reports progress at least once per
    /// object and every 4,096 chunk lookups, so a healthy walk never stalls this long).
    static var stallSeconds: Int32 {
        Int32(ProcessInfo.processInfo.environment["PERTURB_HDF5_STALL_SECONDS"] ?? "").map { max(1, $0) } ?? 60
    }

    /// Resident memory the helper may reach while walking a file of `size` bytes: 2 GiB
    /// (`PERTURB_HDF5_MEMORY_MB` overrides it) + 4 × the file's size. A walk of a valid file stays far below it: it
    /// decodes strings and small datasets one at a time, and variable-length strings are stored uncompressed, so
    /// their decoded size follows the file's. A corrupt string length makes libhdf5 allocate and fill gigabytes for
    /// a kilobyte file before any check of ours can run; the helper is killed when it passes this bound.
    static func memoryBound(fileSize size: Int) -> Int {
        let base = ProcessInfo.processInfo.environment["PERTURB_HDF5_MEMORY_MB"].flatMap { Int($0) }.map { $0 << 20 } ?? 2 << 30
        return base + 4 * size
    }

    /// The helper executable: `PERTURB_HDF5_CHECK`, else `perturb-hdf5-check` beside the running executable.
    static let helper: String? = {
        if let path = ProcessInfo.processInfo.environment["PERTURB_HDF5_CHECK"], !path.isEmpty { return path }
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let sibling = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("perturb-hdf5-check").path
        return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : nil
    }()

    /// Walks `path` in the helper; throws `AnnDataError.corrupt` when libhdf5 crashed or hung on it.
    static func check(path: String) throws {
        guard enabled, let helper else { return }
        try walkInHelper(helper, path: path)
    }

    /// The helper's entry point: with `arguments` = [executable, `walkArgument`, FILE], walks FILE, writing each
    /// object's path as a line to standard output, and exits 0; otherwise returns.
    public static func serveWalkRequest(_ arguments: [String] = CommandLine.arguments) {
        guard arguments.count == 3, arguments[1] == walkArgument else { return }
        _ = H5.initialized
        HDF5Walk(path: arguments[2]) { field in
            let line = Array((field.replacingOccurrences(of: "\n", with: " ") + "\n").utf8)
            line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
        }.run()
        H5close()
        exit(0)
    }

    private static func walkInHelper(_ helper: String, path: String) throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        // Close-on-exec, so that processes spawned later by other threads hold no copy of the pipe (its write end
        // must close when the helper exits).
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [helper, walkArgument, path]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, helper, &actions, nil, &argv, environ)
        close(ends[1])
        guard spawned == 0 else {  // cannot start the helper: read without the check
            close(ends[0])
            return
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let bound = memoryBound(fileSize: size)
        let (report, ending) = drain(ends[0], helper: pid, stallSeconds: stallSeconds, memoryBound: bound)
        close(ends[0])
        if ending != .closed { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        let exitCode = (status >> 8) & 0xff
        guard ending != .closed || signal != 0 || exitCode != 0 else { return }
        let last = report.split(separator: "\n").last.map(String.init) ?? "/"
        let reason =
            switch ending {
            case .stalled: "libhdf5 made no progress for \(stallSeconds) s (a loop in corrupt metadata?)"
            case .overMemory:
                "libhdf5 needed over \(bound >> 20) MiB for a file of \(size) bytes (a corrupt length?)"
            case .closed:
                signal != 0 ? "libhdf5 crashed (\(signalName(signal)))" : "the isolated check failed (exit status \(exitCode))"
            }
        throw AnnDataError.corrupt(path: path, field: last, reason: reason + " reading")
    }

    /// How the helper's walk ended as seen from the pipe.
    private enum Ending { case closed, stalled, overMemory }

    /// Reads the helper's progress lines until it closes the pipe, until `stallSeconds` pass without a byte
    /// (`stalled`), or until its resident memory passes `memoryBound` bytes (`overMemory`; looked at every
    /// 100 ms). Returns the tail of what was read.
    private static func drain(_ fd: Int32, helper: pid_t, stallSeconds: Int32, memoryBound: Int) -> (text: String, ending: Ending) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var quiet = 0  // milliseconds without a byte
        var lastLook = DispatchTime.now().uptimeNanoseconds
        while true {
            var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, 100)
            if ready < 0 && errno == EINTR { continue }
            // Reading /proc costs tens of microseconds; a busy walk writes thousands of lines a second.
            let now = DispatchTime.now().uptimeNanoseconds
            if ready == 0 || now - lastLook >= 100_000_000 {
                lastLook = now
                if residentBytes(helper) > memoryBound { return (String(decoding: bytes, as: UTF8.self), .overMemory) }
            }
            if ready == 0 {
                quiet += 100
                if quiet >= Int(stallSeconds) * 1000 { return (String(decoding: bytes, as: UTF8.self), .stalled) }
                continue
            }
            quiet = 0
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                bytes += chunk[0..<n]
                // Only the last object matters; keep the tail.
                if bytes.count > 1 << 20 { bytes.removeFirst(bytes.count - 4096) }
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return (String(decoding: bytes, as: UTF8.self), .closed)
    }

    /// Resident memory of process `pid` in bytes (0 when it cannot be read).
    private static func residentBytes(_ pid: pid_t) -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: return "SIGSEGV"
        case SIGBUS: return "SIGBUS"
        case SIGABRT: return "SIGABRT"
        case SIGILL: return "SIGILL"
        case SIGFPE: return "SIGFPE"
        case SIGTRAP: return "SIGTRAP"
        case SIGKILL: return "SIGKILL, out of memory?"
        default: return "signal \(signal)"
        }
    }
}
