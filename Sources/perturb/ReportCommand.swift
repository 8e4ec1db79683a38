import ArgumentParser
import Foundation
import PerturbKit

/// `perturb report`: one self-contained HTML file with charts for a results directory.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (inline SVG charts, opens offline) of a benchmark, eval, reverse or "
            + "embed-eval output directory.")

    @Argument(help: "The results directory (perturb benchmark, eval, reverse or embed-eval output).")
    var directory: String

    @Option(name: [.short, .customLong("output")], help: "The HTML file to write (default: DIRECTORY/report.html).")
    var output: String?

    @Flag(help: "Print nothing on stderr.")
    var quiet = false

    func run() throws {
        let started = Date()
        let path = output ?? (directory as NSString).appendingPathComponent("report.html")
        let kind = try ReportRun.run(directory: directory, output: path)
        note(
            "wrote \(path) (\(kind.rawValue) report, \(String(format: "%.2f", Date().timeIntervalSince(started))) s)", quiet: quiet)
    }
}
