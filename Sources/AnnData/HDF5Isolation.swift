import CHDF5
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps a corrupt file from crashing the process: before a file is opened, a forked child walks it
/// with libhdf5 (`HDF5Walk`), closes it and shuts the library down. When the child dies of a signal, the file
/// is refused as corrupt, naming the object being read; otherwise the process reads it itself, through calls
/// the child has already survived on the same bytes.
///
/// Why this design: Debian 12's libhdf5 1.10.8 trusts addresses, lengths and sizes inside the file (one changed
/// byte crashes it in about a quarter of mutants: global-heap reads of variable-length strings, object headers,
/// dataspace selections, closing), no newer libhdf5 is packaged for it, and checking every structure libhdf5
/// dereferences would mean re-implementing its parser. A child costs one `fork` and a walk over the file's
/// metadata, strings and small arrays, paid on every open: a file can change between two opens without its
/// size or modification time showing it, so results are not cached.
enum HDF5Isolation {
    /// Set `PERTURB_TRUST_HDF5=1` to skip the check (only to measure what it costs).
    static var enabled: Bool { ProcessInfo.processInfo.environment["PERTURB_TRUST_HDF5"] != "1" }

    /// Seconds the child may go without reaching a new object before it is taken to be looping on corrupt
    /// metadata and killed (`PERTURB_HDF5_STALL_SECONDS`, default 60; the walk reports progress at least once per
    /// object and every 4,096 chunk lookups, so a healthy walk never stalls this long).
    static var stallSeconds: Int32 {
        Int32(ProcessInfo.processInfo.environment["PERTURB_HDF5_STALL_SECONDS"] ?? "").map { max(1, $0) } ?? 60
    }

    /// Serializes checks, so that no other check's child holds a copy of this one's pipe.
    private static let lock = NSLock()

    /// Walks `path` in a child process; throws `AnnDataError.corrupt` when libhdf5 crashed on it.
    static func check(path: String) throws {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        try walkInChild(path: path)
    }

    private static func walkInChild(path: String) throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let pid = fork()
        if pid < 0 {  // cannot fork: read without the check
            close(ends[0])
            close(ends[1])
            return
        }
        if pid == 0 { childMain(path: path, output: ends[1]) }
        close(ends[1])
        let (report, stalled) = drain(ends[0], stallSeconds: stallSeconds)
        close(ends[0])
        if stalled { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        let exitCode = (status >> 8) & 0xff
        guard stalled || signal != 0 || exitCode != 0 else { return }
        let last = report.split(separator: "\n").last.map(String.init) ?? "/"
        let reason =
            stalled
            ? "libhdf5 made no progress for \(stallSeconds) s (a loop in corrupt metadata?)"
            : signal != 0
                ? "libhdf5 crashed (\(signalName(signal)))" : "the isolated check failed (exit status \(exitCode))"
        throw AnnDataError.corrupt(path: path, field: last, reason: reason + " reading")
    }

    /// The child: quiet, with default crash handling, walks the file, shuts libhdf5 down and exits without
    /// running the parent's exit handlers.
    private static func childMain(path: String, output: Int32) -> Never {
        for s in [SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGFPE, SIGTRAP, SIGSYS] { _ = Glibc.signal(s, SIG_DFL) }
        // Under a sanitizer (the fuzz build), a report in the child must not run the parent's death callback
        // (libFuzzer's would save the input as its own finding): the child just dies, and the parent reports it.
        if let symbol = dlsym(nil, "__sanitizer_set_death_callback") {  // nil: RTLD_DEFAULT
            typealias SetCallback = @convention(c) ((@convention(c) () -> Void)?) -> Void
            unsafeBitCast(symbol, to: SetCallback.self)(nil)
        }
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 {
            dup2(null, 1)
            dup2(null, 2)
        }
        _ = H5.initialized
        HDF5Walk(path: path) { field in
            let line = Array((field.replacingOccurrences(of: "\n", with: " ") + "\n").utf8)
            line.withUnsafeBytes { _ = write(output, $0.baseAddress, $0.count) }
        }.run()
        H5close()
        _exit(0)
    }

    /// Reads the child's progress lines until it closes the pipe, or until `stallSeconds` pass without a byte
    /// (then `stalled`). Returns the tail of what was read.
    private static func drain(_ fd: Int32, stallSeconds: Int32) -> (text: String, stalled: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var stalled = false
        while true {
            var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, stallSeconds * 1000)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 {
                stalled = true
                break
            }
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
        return (String(decoding: bytes, as: UTF8.self), stalled)
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
