import AnnData
import Foundation
import Metrics
import Models
import PerturbData
import Statistics
import Support

/// Chooses a model's hyperparameters on the validation part. Each trial fits a configuration on the training part,
/// predicts the validation part and evaluates the objective (metrics as means over the validation
/// perturbations); the sampler proposes the next configuration from the finished trials (TPE), from the prior
/// (random) or from the grid. When the listed values make a grid no larger than the budget, every grid point is
/// tried once whatever the sampler. The best finite objective wins (ties: the earlier trial).
///
/// Trials are kept in `trials.csv` as they finish, so a killed search resumes at the next trial and proposes what it
/// would have: trial t's proposal depends only on the seed, t and the trials before it.
struct HyperparameterSearch {
    let model: BenchmarkConfig.Model
    let settings: SearchSettings
    let seed: UInt64
    /// How trial predictions become cells.
    var cells: CellGeneration = .resample

    /// One finished trial.
    struct Trial: Equatable {
        var hyperparameters: [String: String]
        /// The objective's metrics, as means over the validation perturbations.
        var metrics: [String: Double]
        var objective: Double
        /// How it was proposed: startup, tpe, random or grid; `repeat` when a proposal equals an earlier trial.
        var proposal: String
        var seconds: Double
    }

    var space: SearchSpace { SearchSpace(model.search) }

    /// The whole grid of listed values (nil when some dimension is an interval), in a fixed order.
    func grid() -> [[String: String]]? {
        var grid: [[String: String]] = [[:]]
        for (name, dimension) in zip(space.names, space.dimensions) {
            guard case .choice(let values) = dimension else { return nil }
            grid = grid.flatMap { base in values.map { base.merging([name: $0]) { _, b in b } } }
        }
        return grid
    }

    /// The grid sampler's trials: the grid sampled down to the budget by the seed (kept in grid order), or all of it.
    func gridTrials() -> [[String: String]]? {
        guard let grid = grid() else { return nil }
        guard grid.count > model.trials else { return grid }
        var rng = SeededRandom(seed: seed, stream: 0x5EA)
        return rng.permutation(grid.count).prefix(model.trials).sorted().map { grid[$0] }
    }

    /// Is the search run on the grid (the grid sampler, or a grid no larger than the budget)?
    var onGrid: Bool {
        guard let all = grid() else { return false }
        return model.sampler == .grid || all.count <= model.trials
    }

    /// The sampler actually used: `grid` whenever the search runs on the grid.
    var effectiveSampler: SearchSampler { onGrid ? .grid : model.sampler }

    /// The searched hyperparameters of trial `index` given the trials before it, and how they were proposed.
    func propose(_ index: Int, after done: [Trial]) -> ([String: String], String) {
        if onGrid { return (gridTrials()![index], "grid") }
        var rng = SeededRandom(seed: seed, stream: 0x5EA_0000 + UInt64(index))
        let space = self.space
        if model.sampler == .random {
            return (space.texts(space.dimensions.map { $0.sample(&rng) }), "random")
        }
        let tpe = TreeParzenEstimator(startupTrials: settings.startupTrials, candidates: settings.candidates)
        let history = done.compactMap { t in
            space.point(t.hyperparameters).map { (point: $0, loss: settings.minimize ? t.objective : -t.objective) }
        }
        let point = tpe.suggest(space, history: history, rng: &rng)
        return (space.texts(point), history.count < max(settings.startupTrials, 2) ? "startup" : "tpe")
    }

    /// The number of trials the search runs (a grid smaller than the budget is run once).
    var trialCount: Int { onGrid ? min(grid()!.count, model.trials) : model.trials }

    /// Runs (or resumes, from `directory/trials.csv`) the search; returns the chosen hyperparameters (fixed ones
    /// filled in) and every trial.
    func run(parts: SplitParts, threads: Int, directory: String, log: (@Sendable (String) -> Void)? = nil) throws
        -> (best: [String: String], trials: [Trial])
    {
        let validation = parts.validation
        guard validation.cellCount > validation.controlCells.count, !validation.controlCells.isEmpty else {
            throw BenchmarkError.searchImpossible(
                model: model.label, reason: "the split's validation part has no perturbed or no control cells (raise split.val)")
        }
        // A validation part of a few perturbations makes a noisy objective; with one, every rank metric is 0.
        let perturbations = CellLevelPrediction.requests(for: validation).keys.map(\.perturbation).uniqueCount
        if perturbations < 5 {
            log?(
                "warning: \(model.label): the validation part holds \(perturbations) perturbation(s); the search objective "
                    + "rests on them alone\(perturbations < 2 ? " and its rank metrics are 0" : "") (raise split.val)")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/trials.csv"
        var trials = Self.readTrials(path: path, names: space.names, metrics: settings.objective.names)
        if !trials.isEmpty { log?("\(model.label): search resumes after \(trials.count) trials") }
        // Evaluated in memory: neither the validation cells nor a trial's predictions are written.
        let real = try ForwardFitting.reference(validation, columns: parts.columns)
        let started = Date()
        let total = trialCount
        while trials.count < total {
            let index = trials.count
            let (searched, how) = propose(index, after: trials)
            var trial: Trial
            if let earlier = trials.first(where: { $0.hyperparameters == searched }) {
                trial = earlier
                trial.proposal = "repeat"
                trial.seconds = 0
            } else {
                let t0 = Date()
                let metrics = try validationMetrics(searched, parts: parts, real: real, index: index, threads: threads, log: log)
                trial = Trial(
                    hyperparameters: searched, metrics: metrics, objective: settings.objective.evaluate(metrics), proposal: how,
                    seconds: Date().timeIntervalSince(t0))
            }
            trials.append(trial)
            try AtomicFile.write(Self.trialsCSV(trials, names: space.names, metrics: settings.objective.names), to: path)
            let elapsed = Date().timeIntervalSince(started)
            log?(
                "\(model.label): trial \(index + 1)/\(total) (\(how)) objective \(String(format: "%.4f", trial.objective))"
                    + String(format: " (ETA %.0f s)", elapsed / Double(index + 1) * Double(total - index - 1)))
        }
        guard let best = Self.best(trials, minimize: settings.minimize) else {
            throw BenchmarkError.searchImpossible(model: model.label, reason: "no trial gave a finite objective \(settings.objective)")
        }
        return (model.hyperparameters.merging(trials[best].hyperparameters) { _, b in b }, trials)
    }

    /// The index of the best finite objective (ties: the earlier trial).
    static func best(_ trials: [Trial], minimize: Bool) -> Int? {
        var best: Int? = nil
        for (i, t) in trials.enumerated() where t.objective.isFinite {
            if let b = best, minimize ? t.objective >= trials[b].objective : t.objective <= trials[b].objective { continue }
            best = i
        }
        return best
    }

    /// Fits one configuration on the training part and returns the objective's metrics on the validation part.
    func validationMetrics(
        _ searched: [String: String], parts: SplitParts, real: AnnData, index: Int, threads: Int,
        log: (@Sendable (String) -> Void)?
    ) throws -> [String: Double] {
        let fitted = try ForwardFitting.fitModel(
            model.name, hyperparameters: Hyperparameters(model.hyperparameters.merging(searched) { _, b in b }),
            train: parts.train, validation: nil, context: FitContext(seed: seed, progress: log)
        ).model
        let predicted = try ForwardFitting.predict(
            fitted, part: parts.validation, columns: parts.columns, seed: seed, cells: cells, source: "validation cells")
        var columns = parts.columns
        columns.cellType = nil
        var out: [String: Double] = [:]
        for (profile, names) in try Self.profiles(for: settings.objective.names) {
            let skip = try MetricRegistry.profile(profile).metrics.filter { !names.contains($0) }
            var evaluation = EvaluationConfig(
                realPath: "validation cells", predPath: "trial \(index) predictions", outputDirectory: "", columns: columns,
                profile: profile, skipMetrics: skip, threads: threads)
            evaluation.realData = real
            evaluation.predData = predicted
            let table = try EvaluationRun.compute(evaluation)[0].results
            for name in names {
                guard let c = table.columns.firstIndex(of: name) else {
                    throw BenchmarkError.searchImpossible(model: model.label, reason: "the validation evaluation has no \(name)")
                }
                let values = table.values[c].compactMap { $0 }.filter { !$0.isNaN }
                out[name] = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
            }
        }
        return out
    }

    /// The profiles that compute the given metrics, each with its metrics (PerturBench's first, then full, then any).
    static func profiles(for names: [String]) throws -> [(String, [String])] {
        var out: [(String, [String])] = []
        for name in names {
            let preferred = ["perturbench", "full"] + MetricRegistry.profileNames
            guard let profile = try preferred.first(where: { try MetricRegistry.profile($0).metrics.contains(name) }) else {
                throw BenchmarkError.searchImpossible(model: "search", reason: "no profile computes \(name)")
            }
            if let i = out.firstIndex(where: { $0.0 == profile }) { out[i].1.append(name) } else { out.append((profile, [name])) }
        }
        return out
    }

    /// `trials.csv`: trial, proposal, seconds, the searched hyperparameters, the objective's metrics, objective.
    /// Numbers are written to round-trip exactly, so a resumed search proposes what an uninterrupted one would.
    static func trialsCSV(_ trials: [Trial], names: [String], metrics: [String]) -> String {
        var lines = [(["trial", "proposal", "seconds"] + names + metrics + ["objective"]).map(CSVFormat.text).joined(separator: ",")]
        for (i, t) in trials.enumerated() {
            let fields =
                [String(i), t.proposal, String(t.seconds)] + names.map { t.hyperparameters[$0] ?? "" }
                + metrics.map { String(t.metrics[$0] ?? .nan) } + [String(t.objective)]
            lines.append(fields.map(CSVFormat.text).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The trials of a `trials.csv` with exactly these columns (none when absent or different).
    static func readTrials(path: String, names: [String], metrics: [String]) -> [Trial] {
        guard let table = try? CSVTable(contentsOf: path) else { return [] }
        let header = ["trial", "proposal", "seconds"] + names + metrics + ["objective"]
        guard table.header == header else { return [] }
        return table.rows.compactMap { row -> Trial? in
            guard row.count == header.count, let seconds = Double(row[2]), let objective = Double(row[row.count - 1]) else { return nil }
            var hyper: [String: String] = [:]
            for (k, name) in names.enumerated() { hyper[name] = row[3 + k] }
            var values: [String: Double] = [:]
            for (k, name) in metrics.enumerated() { values[name] = Double(row[3 + names.count + k]) ?? .nan }
            return Trial(hyperparameters: hyper, metrics: values, objective: objective, proposal: row[1], seconds: seconds)
        }
    }
}
