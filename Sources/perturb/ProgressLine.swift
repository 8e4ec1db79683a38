import Foundation
import PerturbKit

/// Renders progress on stderr as one updating line: percentage, rate and time left.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let started = Date()
    private var lastPrint = Date.distantPast
    private let lock = NSLock()

    init(label: String, unit: String) {
        self.label = label
        self.unit = unit
    }

    var handler: ProgressHandler { { [self] done, total in self.report(done, total) } }

    private func report(_ done: Int, _ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let finished = done >= total
        guard finished || now.timeIntervalSince(lastPrint) >= 0.25 else { return }
        lastPrint = now
        let elapsed = max(now.timeIntervalSince(started), 1e-6)
        let rate = Double(done) / elapsed
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
        var line = String(format: "\r%@: %5.1f%% (%@ %@/s", label, percent, ProgressLine.compact(rate), unit)
        line += finished ? String(format: ", %.1fs)", elapsed) : String(format: ", ETA %.0fs)", remaining)
        FileHandle.standardError.write(Data((line + (finished ? "\n" : "")).utf8))
    }

    static func compact(_ x: Double) -> String {
        switch x {
        case 1e9...: return String(format: "%.1fG", x / 1e9)
        case 1e6...: return String(format: "%.1fM", x / 1e6)
        case 1e3...: return String(format: "%.1fk", x / 1e3)
        default: return String(format: "%.0f", x)
        }
    }
}

/// Writes a line to stderr unless quiet.
func note(_ text: String, quiet: Bool) {
    guard !quiet else { return }
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes one line to stderr.
@Sendable func stderrLine(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
