import Foundation
import Metrics
import Models
import PerturbData
import Support

/// The files `perturb reverse` writes, as text: the metric table (long CSV and Markdown), per-condition
/// outcomes, the top rankings and the validation trials.
public enum ReverseTables {
    static func row(_ cells: [String]) -> String { cells.map(CSVFormat.text).joined(separator: ",") + "\n" }

    static func conditionCells(_ c: Condition) -> [String] { [c.perturbation, c.cellType ?? "", c.batch ?? ""] }

    /// `model,tier,conditions,metric,k,value,random`: MRR, then exact_hit, relevant_hit, recall and ndcg per K.
    public static func metricsCSV(_ reports: [ReverseReport]) -> String {
        var out = row(["model", "tier", "conditions", "metric", "k", "value", "random"])
        for report in reports {
            for s in report.summaries {
                let lead = [report.model, s.tier, String(s.conditions)]
                out += row(lead + ["mrr", "", CSVFormat.double(s.mean.reciprocalRank), CSVFormat.double(s.random.reciprocalRank)])
                for (name, values, random) in [
                    ("exact_hit", s.mean.exactHit, s.random.exactHit),
                    ("relevant_hit", s.mean.relevantHit, s.random.relevantHit),
                    ("recall", s.mean.recall, s.random.recall),
                    ("ndcg", s.mean.ndcg, s.random.ndcg),
                ] {
                    for (i, k) in RetrievalMetrics.cutoffs.enumerated() {
                        out += row(lead + [name, String(k), CSVFormat.double(values[i]), CSVFormat.double(random[i])])
                    }
                }
            }
        }
        return out
    }

    /// A Markdown table: per model and tier, MRR, Exact Hit@1/5/10, Relevant Hit@10, Recall@10 and NDCG@10, each with
    /// the random expectation in parentheses.
    public static func markdown(_ reports: [ReverseReport]) -> String {
        let k = RetrievalMetrics.cutoffs
        let picks: [(String, (RetrievalOutcome) -> Double)] = [
            ("MRR", { $0.reciprocalRank }),
            ("Exact Hit@1", { $0.exactHit[k.firstIndex(of: 1)!] }),
            ("Exact Hit@5", { $0.exactHit[k.firstIndex(of: 5)!] }),
            ("Exact Hit@10", { $0.exactHit[k.firstIndex(of: 10)!] }),
            ("Relevant Hit@10", { $0.relevantHit[k.firstIndex(of: 10)!] }),
            ("Recall@10", { $0.recall[k.firstIndex(of: 10)!] }),
            ("NDCG@10", { $0.ndcg[k.firstIndex(of: 10)!] }),
        ]
        var out = "| model | tier | n | " + picks.map(\.0).joined(separator: " | ") + " |\n"
        out += "|---|---|---:|" + String(repeating: "---|", count: picks.count) + "\n"
        for report in reports {
            for s in report.summaries {
                let cells = picks.map { String(format: "%.3f (%.3f)", $0.1(s.mean), $0.1(s.random)) }
                out += "| \(report.model) | \(s.tier) | \(s.conditions) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    /// One row per query condition: tier, targets, delta norm, expected best rank and every metric.
    public static func perConditionCSV(_ reports: [ReverseReport]) -> String {
        let k = RetrievalMetrics.cutoffs
        var out = row(
            ["model", "perturbation", "cell_type", "batch", "tier", "targets", "delta_norm", "best_rank", "reciprocal_rank"]
                + k.map { "exact_hit@\($0)" } + k.map { "relevant_hit@\($0)" } + k.map { "recall@\($0)" }
                + k.map { "ndcg@\($0)" })
        for report in reports {
            for r in report.rankings {
                out += row(
                    [report.model] + conditionCells(r.condition) + [
                        r.tier, r.targets.joined(separator: "+"),
                        CSVFormat.double(r.deltaNorm), CSVFormat.double(r.outcome.bestRank), CSVFormat.double(r.outcome.reciprocalRank),
                    ]
                        + (r.outcome.exactHit + r.outcome.relevantHit + r.outcome.recall + r.outcome.ndcg).map(CSVFormat.double))
            }
        }
        return out
    }

    /// The best-scored genes of each condition (at most 100), with a flag for the true targets.
    public static func rankingsCSV(_ reports: [ReverseReport]) -> String {
        var out = row(["model", "perturbation", "cell_type", "batch", "rank", "gene", "score", "is_target"])
        for report in reports {
            for r in report.rankings {
                let truth = Set(r.targets)
                for (i, entry) in r.top.enumerated() {
                    out += row(
                        [report.model] + conditionCells(r.condition)
                            + [String(i + 1), entry.gene, CSVFormat.double(entry.score), truth.contains(entry.gene) ? "1" : "0"])
                }
            }
        }
        return out
    }

    /// Each hyperparameter setting tried, with its validation MRR, and which was chosen.
    public static func selectionCSV(_ reports: [ReverseReport]) -> String {
        var out = row(["model", "hyperparameters", "validation_mrr", "chosen"])
        for report in reports {
            for t in report.trials {
                out += row([
                    report.model, t.hyperparameters.items.joined(separator: " "), CSVFormat.double(t.validationMRR),
                    t.hyperparameters == report.hyperparameters ? "1" : "0",
                ])
            }
        }
        return out
    }
}

extension ReverseTables {
    /// Writes metrics.csv, metrics.md, per_condition.csv, rankings.csv and selection.csv into `directory`
    /// (created if needed), each atomically; returns their paths.
    public static func write(_ reports: [ReverseReport], to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = [
            ("metrics.csv", metricsCSV(reports)), ("metrics.md", markdown(reports)),
            ("per_condition.csv", perConditionCSV(reports)), ("rankings.csv", rankingsCSV(reports)),
            ("selection.csv", selectionCSV(reports)),
        ]
        return try files.map { name, text in
            let path = (directory as NSString).appendingPathComponent(name)
            try AtomicFile.write(Data(text.utf8), to: path)
            return path
        }
    }
}

/// A model as named on the command line: `NAME` or `NAME:key=value,key=value`; the whole text is its label.
public struct ReverseModelSpec: Sendable, Equatable {
    public let label: String
    public let name: String
    public let hyperparameters: Hyperparameters

    public init(parsing text: String) throws {
        label = text
        guard let colon = text.firstIndex(of: ":") else {
            name = text
            hyperparameters = Hyperparameters()
            return
        }
        name = String(text[..<colon])
        let items = text[text.index(after: colon)...].split(separator: ",").map(String.init)
        hyperparameters = try Hyperparameters(parsing: items, model: name)
    }
}
