import Foundation
import Support

/// `perturb report DIR -o report.html`: one self-contained HTML file (inline SVG charts, inline style, no network)
/// for a benchmark, eval, reverse or embed-eval directory, recognized by the files it holds. Written atomically.
public enum ReportRun {
    /// What kind of results a directory holds.
    public enum Kind: String, Sendable {
        case benchmark, evaluation = "eval", reverse, embedding = "embed-eval"
    }

    /// The kind of `directory`, or an error naming the files expected.
    public static func kind(of directory: String) throws -> Kind {
        func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(directory)/\(name)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportError.unreadable(path: directory, reason: "not a directory (expected a results directory)")
        }
        if has("leaderboard.csv") { return .benchmark }
        if has("results.csv") && has("agg_results.csv") { return .evaluation }
        if has("metrics.csv") && has("per_condition.csv") { return .reverse }
        if has("table.csv") && has("scores.csv") { return .embedding }
        throw ReportError.unknownDirectory(path: directory)
    }

    /// The report's HTML for `directory`.
    public static func html(directory: String) throws -> (Kind, String) {
        let kind = try kind(of: directory)
        switch kind {
        case .benchmark: return (kind, try BenchmarkReport(directory: directory).html())
        case .evaluation: return (kind, try EvaluationReport(directory: directory).html())
        case .reverse: return (kind, try RetrievalReport(directory: directory).html())
        case .embedding: return (kind, try EmbeddingReport(directory: directory).html())
        }
    }

    /// Writes the report of `directory` to `output` atomically; returns its kind.
    @discardableResult
    public static func run(directory: String, output: String) throws -> Kind {
        let (kind, text) = try html(directory: directory)
        try AtomicFile.write(text, to: output)
        return kind
    }
}
