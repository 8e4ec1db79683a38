import Metrics
import Models
import PerturbData
import Support

/// Which genes are ranked: the targets of every perturbation in the data (default), or those plus every
/// measured gene.
public enum TargetUniverse: String, Sendable, CaseIterable {
    case targets
    case genes
}

/// One evaluated query condition.
public struct ConditionRanking: Sendable {
    public let condition: Condition
    /// `seen single`, `unseen single`, or `seen2` / `seen1` / `seen0` for combinations.
    public let tier: String
    public let targets: [String]
    /// L2 norm of the (masked) observed delta: how strong the phenotype is.
    public let deltaNorm: Double
    public let outcome: RetrievalOutcome
    /// The expectation of a random ranking of the same universe.
    public let random: RetrievalOutcome
    /// The best-scored universe genes (at most 100), best first.
    public let top: [(gene: String, score: Double)]
}

/// Mean metrics over a group of query conditions.
public struct RetrievalSummary: Sendable {
    public let tier: String
    public let conditions: Int
    public let mean: RetrievalOutcome
    public let random: RetrievalOutcome
}

/// One hyperparameter setting tried on the validation part.
public struct SelectionTrial: Sendable {
    public let hyperparameters: Hyperparameters
    public let validationMRR: Double
}

/// The outcome of fitting and evaluating one reverse model on a split.
public struct ReverseReport: Sendable {
    public let model: String
    /// The hyperparameters used (given plus those chosen on validation).
    public let hyperparameters: Hyperparameters
    public let trials: [SelectionTrial]
    public let universeSize: Int
    public let maskedGenes: Int
    public let rankings: [ConditionRanking]
    /// `all`, then each tier present.
    public let summaries: [RetrievalSummary]
}

/// `perturb reverse` as a library call: fit a reverse model on the training part (hyperparameters not given
/// are chosen by validation MRR over the model's grid), rank the universe for every perturbed test condition,
/// and score the rankings (docs/DESIGN.md §5.4), overall and per tier, beside the random-ranking expectation.
public enum ReverseEvaluation {
    /// The genes masked by default: every target of every perturbation in the data that is a measured gene.
    /// Masking all of them (not only a query's own) keeps the mask itself from saying which gene was hit.
    public static func targetGenes(of parts: SplitParts) -> Set<String> {
        let labeling = parts.train.labeling
        let labels = [parts.train, parts.validation, parts.test].flatMap(\.perturbationLabels)
        return Set(labels.flatMap { labeling.members(of: $0) })
    }

    /// Fits and evaluates `name`; the report carries `label` (default: the name).
    public static func run(
        model name: String, label: String? = nil, hyperparameters: Hyperparameters, parts: SplitParts,
        mask: Bool, universe: TargetUniverse, seed: UInt64, log: (@Sendable (String) -> Void)? = nil
    ) throws -> ReverseReport {
        guard !parts.test.controlCells.isEmpty, parts.test.cellCount > parts.test.controlCells.count else {
            throw ModelError.unusableTrainingData(
                model: name,
                reason: "the split's test part has "
                    + "\(parts.test.cellCount - parts.test.controlCells.count) perturbed and \(parts.test.controlCells.count) control cells; "
                    + "queries are deltas against the test part's own controls, so both are needed")
        }
        let targets = targetGenes(of: parts)
        let genes = Set(parts.train.genes)
        let masked = mask ? targets.intersection(genes) : []
        let candidates = (universe == .genes ? targets.union(genes) : targets).sorted()
        var training = try ReverseTraining(data: parts.train, mask: masked, seed: seed, universe: Set(candidates))
        training.progress = log
        // Validation needs its own controls and perturbed cells; without them the model's defaults are used.
        let validation = parts.validation.controlCells.isEmpty ? nil : try? ReverseQuery(data: parts.validation, mask: masked, seed: seed)
        let (model, chosen, trials) = try select(
            name, given: hyperparameters, training: training,
            validation: validation, universe: candidates, log: log)
        let query = try ReverseQuery(data: parts.test, mask: masked, seed: seed)
        log?("\(name): ranking \(candidates.count) candidate genes for \(query.profiles.count) test conditions")
        let scores = try model.conditionScores(query)
        let candidateSet = Set(candidates)
        let trainingSingles = Set(parts.train.perturbationLabels.filter { !parts.train.labeling.isCombination($0) })
        let rankings = query.profiles.conditions.indices.map { i -> ConditionRanking in
            let condition = query.profiles.conditions[i], truth = query.profiles.targets[i]
            let restricted = scores[i].filter { candidateSet.contains($0.key) }
            let top = restricted.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(100)
            let norm = query.profiles.values.row(i).reduce(0) { $0 + $1 * $1 }.squareRoot()
            return ConditionRanking(
                condition: condition,
                tier: tier(
                    of: condition.perturbation, members: truth,
                    trainingSingles: trainingSingles),
                targets: truth, deltaNorm: norm,
                outcome: RetrievalMetrics.evaluate(scores: restricted, targets: Set(truth), universe: candidates),
                random: RetrievalMetrics.random(targetCount: Set(truth).count, universeSize: candidates.count),
                top: top.map { ($0.key, $0.value) })
        }
        return ReverseReport(
            model: label ?? name, hyperparameters: chosen, trials: trials, universeSize: candidates.count,
            maskedGenes: masked.count, rankings: rankings, summaries: summarize(rankings))
    }

    /// The generalization tier of a query: singles are seen or unseen in training; combinations are seenN by
    /// how many members were training singles.
    static func tier(of label: String, members: [String], trainingSingles: Set<String>) -> String {
        if members.count <= 1 { return trainingSingles.contains(label) ? "seen single" : "unseen single" }
        return "seen\(members.filter { trainingSingles.contains($0) }.count)"
    }

    /// Mean metrics over all conditions, then per tier (in a fixed order).
    public static func summarize(_ rankings: [ConditionRanking]) -> [RetrievalSummary] {
        let order = ["seen single", "unseen single", "seen2", "seen1", "seen0"]
        var groups: [(String, [ConditionRanking])] = [("all", rankings)]
        for tier in Set(rankings.map(\.tier)).sorted(by: { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }) {
            groups.append((tier, rankings.filter { $0.tier == tier }))
        }
        return groups.filter { !$0.1.isEmpty }.map { tier, rows in
            RetrievalSummary(
                tier: tier, conditions: rows.count, mean: .mean(of: rows.map(\.outcome)), random: .mean(of: rows.map(\.random)))
        }
    }

    /// Fits `name` with the given hyperparameters plus, for each grid key not given, the value with the best
    /// validation MRR (grid combinations tried in order; the first best wins). Without usable validation
    /// conditions the model's defaults are used.
    static func select(
        _ name: String, given: Hyperparameters, training: ReverseTraining, validation: ReverseQuery?,
        universe: [String], log: (@Sendable (String) -> Void)?
    ) throws
        -> (model: any ReverseModel, hyperparameters: Hyperparameters, trials: [SelectionTrial])
    {
        var model = try reverseModels.make(name, hyperparameters: given)
        let grid = model.searchGrid().filter { given.values[$0.key] == nil }.sorted { $0.key < $1.key }
        guard !grid.isEmpty, let validation, validation.profiles.count > 0 else {
            if !grid.isEmpty {
                log?("\(name): no usable validation conditions; using the defaults of \(grid.map(\.key).joined(separator: ", "))")
            }
            log?("\(name): fitting on \(training.profiles.count) training conditions")
            try model.fit(training)
            return (model, given, [])
        }
        var settings: [[String: String]] = [given.values]
        for (key, values) in grid {
            settings = settings.flatMap { s in values.map { v in s.merging([key: v]) { _, new in new } } }
        }
        var best: (model: any ReverseModel, hyperparameters: Hyperparameters, mrr: Double)?
        var trials: [SelectionTrial] = []
        for (t, setting) in settings.enumerated() {
            let h = Hyperparameters(setting)
            var candidate = try reverseModels.make(name, hyperparameters: h)
            try candidate.fit(training)
            let scores = try candidate.conditionScores(validation)
            let mrr =
                zip(scores, validation.profiles.targets).reduce(0.0) { sum, pair in
                    sum + RetrievalMetrics.evaluate(scores: pair.0, targets: Set(pair.1), universe: universe).reciprocalRank
                } / Double(scores.count)
            trials.append(SelectionTrial(hyperparameters: h, validationMRR: mrr))
            log?("\(name): trial \(t + 1)/\(settings.count) \(h.items.joined(separator: " ")): validation MRR \(CSVFormat.double(mrr))")
            if best == nil || mrr > best!.mrr { best = (candidate, h, mrr) }
        }
        model = best!.model
        return (model, best!.hyperparameters, trials)
    }
}
