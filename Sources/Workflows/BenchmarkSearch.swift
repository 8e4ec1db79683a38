import Foundation
import Models
import PerturbData
import Statistics
import Support

/// One model's search in a benchmark: run once per dataset (and training fraction and skew level) on the split of
/// the first seed, under `runs/<dataset>/search/…/<model>/` (`trials.csv`, `chosen.json`); every seed then
/// retrains the chosen configuration, as PerturBench selects on one split and reports 5 seeds.
struct SearchJob {
    let model: BenchmarkConfig.Model
    let directory: String
    let key: String
    /// The first seed's training and validation parts (with the variant applied); called only when the search
    /// has not finished before.
    let parts: () throws -> SplitParts
}

/// What a finished search chose, saved as `chosen.json`.
struct SearchRecord: Codable, Equatable {
    var key: String
    var sampler: String
    var objective: String
    var bestTrial: Int
    var hyperparameters: [String: String]
    var trials: [RunRecord.Trial]
}

extension BenchmarkRunner {
    /// The text a run key hashes for a searched hyperparameter.
    static func keyText(_ dimension: SearchDimension) -> String {
        switch dimension {
        case .choice(let values): return values.joined(separator: "|")
        case .real(let low, let high, let log): return "real[\(low),\(high)\(log ? ",log" : "")]"
        case .integer(let low, let high, let log): return "int[\(low),\(high)\(log ? ",log" : "")]"
        }
    }

    /// The search job of a model on a dataset and variant (nil when the model has no search).
    func searchJob(
        _ model: BenchmarkConfig.Model, dataset: BenchmarkConfig.Dataset, variant: (fraction: String?, imbalance: String?),
        parts: @escaping () throws -> SplitParts
    ) -> SearchJob? {
        guard !model.search.isEmpty else { return nil }
        let first = config.seeds[0]
        let directory =
            "\(output)/runs/\(safe(dataset.name))/search" + (variant.fraction.map { "/fraction\($0)" } ?? "")
            + (variant.imbalance.map { "/imbalance\($0)" } ?? "") + "/\(safe(model.label))"
        // The run key of the first seed's run identifies the search too (it holds the search spec and settings).
        let key = runKey(dataset, first, model, fraction: variant.fraction, imbalance: variant.imbalance)
        return SearchJob(model: model, directory: directory, key: key, parts: parts)
    }

    /// The chosen hyperparameters and the trials: read back from `chosen.json` when the search has finished with the
    /// same key, else run (resuming from `trials.csv` when its key matches).
    func searchResult(_ job: SearchJob) throws -> (best: [String: String], trials: [RunRecord.Trial]) {
        let chosenPath = "\(job.directory)/chosen.json"
        if let data = try? Data(contentsOf: URL(fileURLWithPath: chosenPath)),
            let record = try? JSONDecoder().decode(SearchRecord.self, from: data), record.key == job.key
        {
            return (record.hyperparameters, record.trials)
        }
        let keyPath = "\(job.directory)/key.txt"
        if (try? String(contentsOfFile: keyPath, encoding: .utf8)) != job.key {
            try? FileManager.default.removeItem(atPath: job.directory)
            try FileManager.default.createDirectory(atPath: job.directory, withIntermediateDirectories: true)
            try AtomicFile.write(Data(job.key.utf8), to: keyPath)
        }
        let search = HyperparameterSearch(model: job.model, settings: config.search, seed: config.seeds[0], cells: config.cells)
        log?(
            "\(job.model.label): \(search.effectiveSampler.rawValue) search, \(search.trialCount) trials, objective \(config.search.objective)"
        )
        let (best, trials) = try search.run(parts: try job.parts(), threads: threads, directory: job.directory, log: log)
        let recorded = trials.map { t in
            RunRecord.Trial(hyperparameters: Hyperparameters(t.hyperparameters).items, validation: t.objective)
        }
        let record = SearchRecord(
            key: job.key, sampler: search.effectiveSampler.rawValue, objective: config.search.objective.description,
            bestTrial: HyperparameterSearch.best(trials, minimize: config.search.minimize) ?? 0, hyperparameters: best,
            trials: recorded)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(record), to: chosenPath)
        return (best, recorded)
    }
}
