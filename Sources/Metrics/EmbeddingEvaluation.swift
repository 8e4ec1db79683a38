import Foundation
import LinearAlgebra
import PerturbData
import Support

/// One number of the embedding evaluation.
public struct EmbeddingScore: Sendable, Equatable {
    public var task: String
    public var metric: String
    public var embedding: String
    public var variant: EmbeddingVariant
    public var value: Double
    /// The seed of the split, folds and random draws the score was computed with.
    public var seed: UInt64 = 0

    /// Counts and flags reported beside the scores (not compared across variants).
    public var isInformational: Bool {
        metric == "tested" || metric.hasPrefix("pairs_") || metric == "null_from_unexpressed_genes"
    }
}

/// The six-level embedding hierarchy (iLISI, linear probe, consistency, kNN, relationship recall,
/// reconstruction) for several embeddings, each in every post-processing variant: Tx-Evaluation's definitions on
/// its split (`TxEvaluationSplit`, one per seed), and ours beside them with `EmbeddingDefinitions.all`.
public enum EmbeddingEvaluation {
    /// Task order of the table.
    public static let tasks = ["ilisi", "linear_probe", "consistency", "knn", "relations", "reconstruction"]

    /// Scores of `embeddings` (name, cells × dimensions) on `cells`; `log` receives one line per finished task.
    public static func evaluate(
        _ embeddings: [(name: String, matrix: Matrix<Double>)], cells: EmbeddingCells,
        options: EmbeddingTaskOptions, log: ((String) -> Void)? = nil
    ) -> [EmbeddingScore] {
        let targets = EmbeddingTasks.decoderTargets(cells, count: options.decoderGenes)
        let split = TxEvaluationSplit(cells, trainFraction: options.trainFraction, seed: options.seed)
        let ours = options.definitions == .all
        var scores: [EmbeddingScore] = []
        for (name, raw) in embeddings {
            precondition(raw.rows == cells.count, "one embedding row per cell")
            for variant in EmbeddingVariant.allCases {
                let started = Date()
                let x = variant.apply(raw, batches: cells.batches, isControl: cells.isControl)
                let results: [(String, [(String, Double)])] = [
                    (
                        "ilisi",
                        EmbeddingReferenceTasks.ilisi(x, cells, split, options) + (ours ? EmbeddingTasks.ilisi(x, cells, options) : [])
                    ),
                    (
                        "linear_probe",
                        EmbeddingReferenceTasks.probe(x, cells, split, options) + (ours ? EmbeddingTasks.probe(x, cells, options) : [])
                    ),
                    ("consistency", EmbeddingTasks.consistency(x, cells, options)),
                    ("knn", EmbeddingReferenceTasks.knn(x, cells, split, options) + (ours ? EmbeddingTasks.knn(x, cells, options) : [])),
                    ("relations", EmbeddingTasks.recall(x, cells, options)),
                    (
                        "reconstruction",
                        EmbeddingReferenceTasks.reconstruction(x, cells, split, targets: targets, options)
                            + (ours ? EmbeddingTasks.reconstruction(x, cells, targets: targets) : [])
                    ),
                ]
                for (task, values) in results {
                    for (metric, value) in values {
                        scores.append(
                            EmbeddingScore(
                                task: task, metric: metric, embedding: name, variant: variant, value: value, seed: options.seed))
                    }
                }
                log?("\(name) / \(variant.rawValue): \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            }
        }
        return scores
    }

    /// Every score as CSV: task, metric, embedding, variant, seed, value.
    public static func longCSV(_ scores: [EmbeddingScore]) -> String {
        var lines = ["task,metric,embedding,variant,seed,value"]
        for s in scores {
            lines.append("\(s.task),\(s.metric),\(s.embedding),\(s.variant.rawValue),\(s.seed),\(format(s.value))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The table: one row per task and metric, per embedding the best variant's value (all metrics are
    /// higher-is-better) and which variant that was; informational rows show the raw variant. Over several seeds,
    /// each seed's best value is averaged: the mean, its sample standard deviation (`<embedding>_std`) and the
    /// variant that was best most often (ties: the first in variant order).
    public static func table(_ scores: [EmbeddingScore]) -> (header: [String], rows: [[String]]) {
        let embeddings = scores.map(\.embedding).distinctInOrder
        let seeds = scores.map(\.seed).distinctInOrder
        var seen: [(String, String)] = []
        for s in scores where !seen.contains(where: { $0 == (s.task, s.metric) }) { seen.append((s.task, s.metric)) }
        // Task order, then the order metrics first appear in.
        let keys = seen.indices.sorted { a, b in
            let (ta, tb) = (tasks.firstIndex(of: seen[a].0) ?? tasks.count, tasks.firstIndex(of: seen[b].0) ?? tasks.count)
            return ta != tb ? ta < tb : a < b
        }.map { seen[$0] }
        let order = EmbeddingVariant.allCases
        var rows: [[String]] = []
        for (task, metric) in keys {
            var row = [task, metric]
            for e in embeddings {
                let perSeed = seeds.map { seed in
                    best(scores.filter { $0.task == task && $0.metric == metric && $0.embedding == e && $0.seed == seed })
                }
                guard seeds.count > 1 else {
                    let only = perSeed[0]
                    row += [format(only?.value ?? .nan), only?.variant?.rawValue ?? ""]
                    continue
                }
                let values = perSeed.compactMap { $0?.value }.filter { !$0.isNaN }
                let variants = perSeed.compactMap { $0?.variant }
                guard !values.isEmpty, !variants.isEmpty else {
                    row += [format(perSeed.first??.value ?? .nan), "", ""]  // informational, or no value at all
                    continue
                }
                let mean = values.reduce(0, +) / Double(values.count)
                let sd =
                    values.count > 1
                    ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : Double.nan
                let counts = order.map { v in variants.filter { $0 == v }.count }
                row += [format(mean), format(sd), order[counts.firstIndex(of: counts.max()!)!].rawValue]
            }
            rows.append(row)
        }
        let names = embeddings.flatMap { seeds.count > 1 ? [$0, "\($0)_std", "\($0)_variant"] : [$0, "\($0)_variant"] }
        return (["task", "metric"] + names, rows)
    }

    /// The best (largest non-NaN) value among one seed's variants of a metric and its variant; an informational
    /// metric's raw value with no variant; nil when there are no candidates.
    static func best(_ candidates: [EmbeddingScore]) -> (value: Double, variant: EmbeddingVariant?)? {
        guard let first = candidates.first else { return nil }
        if first.isInformational { return ((candidates.first { $0.variant == .raw } ?? first).value, nil) }
        guard let top = candidates.filter({ !$0.value.isNaN }).max(by: { $0.value < $1.value }) else { return (.nan, nil) }
        return (top.value, top.variant)
    }

    /// The table as CSV.
    public static func tableCSV(_ scores: [EmbeddingScore]) -> String {
        let (header, rows) = table(scores)
        return ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The table as aligned text (for the terminal) or a markdown table.
    public static func tableText(_ scores: [EmbeddingScore], markdown: Bool = false) -> String {
        let (header, rows) = table(scores)
        let all = [header] + rows
        if markdown {
            return ([all[0], all[0].map { _ in "---" }] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
        }
        let widths = header.indices.map { c in all.map { $0[c].count }.max()! }
        return all.map { row in
            row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        .joined(separator: "\n")
    }

    static func format(_ x: Double) -> String { x.isNaN ? "nan" : String(format: "%.4f", x) }
}
