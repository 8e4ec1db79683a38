import Foundation
import Support

/// The report of a `perturb embed-eval` directory: the task hierarchy as a heat map (tasks × embeddings, coloured
/// within each row), the table with each embedding's best post-processing variant, and provenance.
struct EmbeddingReport {
    let directory: String
    /// Bookkeeping rows (counts of what was tested), shown in the table but not coloured.
    static func isCount(_ metric: String) -> Bool {
        metric == "tested" || metric.hasPrefix("pairs_") || metric.hasPrefix("null_")
    }

    func html() throws -> String {
        let table = try CSVTable(contentsOf: "\(directory)/table.csv")
        let h = table.header
        guard h.count >= 3, h[0] == "task", h[1] == "metric" else {
            throw ReportError.unreadable(path: table.path, reason: "expected the columns task, metric, then one or more embeddings")
        }
        let embeddings = h.enumerated().dropFirst(2).filter { !$0.element.hasSuffix("_variant") && !$0.element.hasSuffix("_std") }
        var page = HTMLReport(
            title: "Embedding report: \((directory as NSString).lastPathComponent)",
            subtitle: "\(embeddings.count) embeddings · Tx-Evaluation's task hierarchy")
        let shown = table.rows.filter { !Self.isCount($0[1]) }
        let lower = Set(shown.enumerated().filter { ["mse", "mae", "error"].contains($0.element[1]) }.map(\.offset))
        page.section(
            "Task hierarchy",
            intro: "Each row a task's metric, each column an embedding (its best post-processing variant; the mean over seeds "
                + "when several were run). Colour is scaled within a row: darker is better.")
        page.figures([
            HeatMap(
                title: "Embeddings × tasks", rows: shown.map { "\($0[0]) · \($0[1])" }, columns: embeddings.map(\.element),
                values: shown.map { r in embeddings.map { Double(r[$0.offset]) ?? .nan } }, lowerIsBetter: lower
            ).svg()
        ])
        page.subheading("The table")
        page.table(h, table.rows)
        page.section("Provenance")
        page.facts(ProvenanceFacts.facts(manifestPath: "\(directory)/manifest.json"))
        return page.html()
    }
}
