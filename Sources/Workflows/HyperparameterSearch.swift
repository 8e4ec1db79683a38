import Foundation
import Metrics
import Models
import PerturbData
import Support

/// Chooses hyperparameters by the validation part: the grid of the search values (fixed values filled in) is
/// sampled down to the trial budget by the seed, each candidate is fit on the training part and scored on the
/// validation part by the primary metric, and the best is kept (ties: the earlier candidate).
struct HyperparameterSearch {
    let model: BenchmarkConfig.Model
    let seed: UInt64
    /// How trial predictions become cells.
    var cells: CellGeneration = .resample

    /// The candidates, in trial order.
    func candidates() -> [[String: String]] {
        var grid: [[String: String]] = [model.hyperparameters]
        for key in model.search.keys.sorted() {
            grid = grid.flatMap { base in model.search[key]!.map { value in base.merging([key: value]) { _, b in b } } }
        }
        guard grid.count > model.trials else { return grid }
        var rng = SeededRandom(seed: seed, stream: 0x5EA)
        return rng.permutation(grid.count).prefix(max(1, model.trials)).sorted().map { grid[$0] }
    }

    func run(parts: SplitParts, primary: String, threads: Int, log: (@Sendable (String) -> Void)? = nil) throws
        -> (best: [String: String], trials: [RunRecord.Trial])
    {
        let validation = parts.validation
        guard validation.cellCount > validation.controlCells.count, !validation.controlCells.isEmpty else {
            throw BenchmarkError.searchImpossible(
                model: model.label, reason: "the split's validation part has no perturbed or no control cells (raise split.val)")
        }
        // Evaluated in memory: neither the validation cells nor a trial's predictions are written.
        let real = try ForwardFitting.reference(validation, columns: parts.columns)
        guard let info = MetricRegistry.metric(primary) else {
            throw BenchmarkError.searchImpossible(model: model.label, reason: "unknown primary metric \(primary)")
        }
        let inPerturBench = try MetricRegistry.profile("perturbench").metrics.contains(primary)
        var trials: [RunRecord.Trial] = []
        var best: ([String: String], Double)? = nil
        for (i, candidate) in candidates().enumerated() {
            let fitted = try ForwardFitting.fitModel(
                model.name, hyperparameters: Hyperparameters(candidate), train: parts.train,
                validation: nil, context: FitContext(seed: seed, progress: log)
            ).model
            let predicted = try ForwardFitting.predict(
                fitted, part: validation, columns: parts.columns, seed: seed, cells: cells, source: "validation cells")
            var columns = parts.columns
            columns.cellType = nil
            let profile = inPerturBench ? "perturbench" : "full"
            let skip = try MetricRegistry.profile(profile).metrics.filter { $0 != primary }
            var evaluation = EvaluationConfig(
                realPath: "validation cells", predPath: "trial \(i) predictions",
                outputDirectory: "", columns: columns, profile: profile, skipMetrics: skip,
                threads: threads)
            evaluation.realData = real
            evaluation.predData = predicted
            let units = try EvaluationRun.compute(evaluation)
            let table = units[0].results
            guard let c = table.columns.firstIndex(of: primary) else {
                throw BenchmarkError.searchImpossible(model: model.label, reason: "the validation evaluation has no \(primary)")
            }
            let values = table.values[c].compactMap { $0 }.filter { !$0.isNaN }
            let score = values.isEmpty ? Double.nan : values.reduce(0, +) / Double(values.count)
            trials.append(RunRecord.Trial(hyperparameters: Hyperparameters(candidate).items, validation: score))
            let better: Bool
            if let (_, b) = best { better = info.best == .zero ? score < b : score > b } else { better = !score.isNaN }
            if better { best = (candidate, score) }
        }
        guard let chosen = best else {
            throw BenchmarkError.searchImpossible(model: model.label, reason: "no trial gave a finite validation \(primary)")
        }
        return (chosen.0, trials)
    }
}
