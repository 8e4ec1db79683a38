import AnnData
import Foundation
import LinearAlgebra
import Metrics
import Models
import PerturbData
import Support

/// Runs a benchmark: for each dataset and seed it makes the split (and any preparation fit on its training
/// cells), then fits, predicts and evaluates every model, writing each run under
/// `OUTPUT/runs/<dataset>/seed<k>/<model>/` and finishing it with `done.json`. A data-scaling split fits every model
/// on each nested training subset (`OUTPUT/runs/<dataset>/seed<k>/fraction<f>/<model>/`; validation and test shared),
/// and `imbalance` levels fit every model on each skewed training part (`…/imbalance<s>/<model>/`). Finished runs are read back,
/// not redone, so an interrupted benchmark resumes where it stopped.
public struct BenchmarkRunner: Sendable {
    public let config: BenchmarkConfig
    public let output: String
    public let threads: Int
    /// Progress messages (stderr in the CLI; nil when quiet).
    public let log: (@Sendable (String) -> Void)?

    public init(
        config: BenchmarkConfig, output: String, threads: Int = defaultThreadCount(),
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.config = config
        self.output = output
        self.threads = threads
        self.log = log
    }

    /// The evaluation profiles run (vcc is always included: the scores need it).
    var profiles: [String] { config.profiles.contains("vcc") ? config.profiles : ["vcc"] + config.profiles }

    /// Runs (or resumes) everything; returns every run's record.
    public func run() throws -> [RunRecord] {
        // A data-scaling split fits every model on each nested training subset (under `seed<k>/fraction<f>/`), and
        // imbalance levels on each skewed training part (under `…/imbalance<s>/`).
        let fractions: [String?] =
            try SplitStrategy(name: config.strategy, parameters: config.splitParameters, columns: config.datasets[0].columns)
            .trainingSubsetKeys ?? [nil]
        let levels: [String?] = config.imbalance?.map { String($0) } ?? [nil]
        let variants = fractions.flatMap { f in levels.map { (fraction: f, imbalance: $0) } }
        let total = config.datasets.count * config.seeds.count * config.models.count * variants.count
        var records: [RunRecord] = []
        let started = Date()
        var fresh = 0
        for dataset in config.datasets {
            let source = try SourceData(dataset, log: log)
            // Searches run on the first seed's split; a later seed whose search result is missing remakes it.
            let first = config.seeds[0]
            let firstSeedParts: (String?, String?) throws -> SplitParts = { fraction, imbalance in
                let directory = "\(output)/runs/\(safe(dataset.name))/seed\(first)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                var parts = try source.parts(
                    seed: first, strategy: config.strategy, parameters: config.splitParameters, directory: directory
                ).0
                parts = try fraction.map { try parts.withTrainingSubset($0) } ?? parts
                if let imbalance { parts = parts.withImbalance(skew: Double(imbalance)!, seed: first) }
                return parts
            }
            for seed in config.seeds {
                let seedDirectory = "\(output)/runs/\(safe(dataset.name))/seed\(seed)"
                try FileManager.default.createDirectory(atPath: seedDirectory, withIntermediateDirectories: true)
                let runs = variants.flatMap { v in config.models.map { (fraction: v.fraction, imbalance: v.imbalance, model: $0) } }
                func runDirectory(_ fraction: String?, _ imbalance: String?) -> String {
                    seedDirectory + (fraction.map { "/fraction\($0)" } ?? "") + (imbalance.map { "/imbalance\($0)" } ?? "")
                }
                let keys = runs.map { runKey(dataset, seed, $0.model, fraction: $0.fraction, imbalance: $0.imbalance) }
                var seedRecords: [RunRecord?] = runs.indices.map { i in
                    let directory = runDirectory(runs[i].fraction, runs[i].imbalance)
                    return RunRecord.read(path: "\(directory)/\(safe(runs[i].model.label))/done.json").flatMap {
                        $0.key == keys[i] ? $0 : nil
                    }
                }
                if !seedRecords.contains(where: { $0 == nil }) {
                    log?("\(dataset.name) seed \(seed): \(runs.count) finished runs read back")
                } else {
                    let (parts, tiers) = try source.parts(
                        seed: seed, strategy: config.strategy, parameters: config.splitParameters,
                        directory: seedDirectory)
                    let realPath = "\(seedDirectory)/real.h5ad"
                    let real = try ForwardFitting.reference(parts.test, columns: parts.columns)
                    try real.write(to: realPath)
                    try? FileManager.default.removeItem(atPath: "\(seedDirectory)/real_de.csv")
                    for (fraction, imbalance) in variants {
                        var fitParts = try fraction.map { try parts.withTrainingSubset($0) } ?? parts
                        if let imbalance { fitParts = fitParts.withImbalance(skew: Double(imbalance)!, seed: seed) }
                        let current = fitParts
                        for (i, run) in runs.enumerated()
                        where run.fraction == fraction && run.imbalance == imbalance && seedRecords[i] == nil {
                            let record = try runModel(
                                run.model, key: keys[i], dataset: dataset.name, seed: seed, variant: (fraction, imbalance),
                                parts: fitParts, tiers: tiers, real: (realPath, real), seedDirectory: seedDirectory,
                                directory: "\(runDirectory(fraction, imbalance))/\(safe(run.model.label))", started: Date(),
                                search: searchJob(run.model, dataset: dataset, variant: (fraction, imbalance)) {
                                    seed == first ? current : try firstSeedParts(fraction, imbalance)
                                })
                            seedRecords[i] = record
                            fresh += 1
                            let done = records.count + seedRecords.filter { $0 != nil }.count
                            let rate = Date().timeIntervalSince(started) / Double(fresh)
                            let primary = record.metrics["all"]?[config.primaryMetric].map { String(format: "%.4f", $0) } ?? "n/a"
                            log?(
                                "[\(done)/\(total)] \(dataset.name) seed \(seed) \(fraction.map { "fraction \($0) " } ?? "")"
                                    + (imbalance.map { "imbalance \($0) " } ?? "")
                                    + "\(run.model.label): \(config.primaryMetric) \(primary) "
                                    + String(format: "(%.1f s; ETA %.0f s)", record.wallSeconds, rate * Double(total - done)))
                        }
                    }
                }
                var finished = seedRecords.map { $0! }
                // Scores against the reference models need every run of this seed (and fraction and level).
                for i in finished.indices where finished[i].scores.isEmpty {
                    let directory = runDirectory(finished[i].fraction, finished[i].imbalance)
                    finished[i].scores = try scores(of: finished[i], seedDirectory: directory)
                    try finished[i].write(to: "\(directory)/\(safe(finished[i].model))/done.json")
                }
                records += finished
            }
        }
        return records
    }

    /// What identifies a run: change any part and the run is redone.
    func runKey(
        _ dataset: BenchmarkConfig.Dataset, _ seed: UInt64, _ model: BenchmarkConfig.Model, fraction: String? = nil,
        imbalance: String? = nil
    ) -> String {
        let hyper = model.hyperparameters.keys.sorted().map { "\($0)=\(model.hyperparameters[$0]!)" }
        let searched = model.search.keys.sorted().map { "\($0)=\(Self.keyText(model.search[$0]!))" }
        var parts: [String] = [
            PerturbKitVersion.current, dataset.name, dataset.path, "\(dataset.columns)", dataset.layer ?? "X",
            BenchmarkConfig.Prep.runKeyText(dataset.prep), config.strategy,
            config.splitParameters.keys.sorted().map { "\($0)=\(config.splitParameters[$0]!)" }.joined(separator: ","),
            "seed=\(seed)", model.name, hyper.joined(separator: ","), searched.joined(separator: ","),
            "trials=\(model.trials)", profiles.joined(separator: ","), config.primaryMetric,
            "cells=\(config.cells.rawValue)",
        ]
        if let fraction { parts.append("fraction=\(fraction)") }
        if let imbalance { parts.append("imbalance=\(imbalance)") }
        if !model.search.isEmpty {
            parts += ["sampler=\(model.sampler.rawValue)", config.search.keyText, "search-seed=\(config.seeds[0])"]
        }
        return SHA256Hasher.hex(of: Data(parts.joined(separator: "\n").utf8))
    }

    func runModel(
        _ model: BenchmarkConfig.Model, key: String, dataset: String, seed: UInt64,
        variant: (fraction: String?, imbalance: String?) = (nil, nil), parts: SplitParts,
        tiers: [String: String], real: (path: String, data: AnnData), seedDirectory: String, directory: String, started: Date,
        search: SearchJob? = nil
    ) throws -> RunRecord {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var trials: [RunRecord.Trial] = []
        var hyper = model.hyperparameters
        if !model.search.isEmpty {
            let chosen = try searchResult(search!)
            hyper = chosen.best
            trials = chosen.trials
        }
        let fitted = try ForwardFitting.fitModel(
            model.name, hyperparameters: Hyperparameters(hyper), train: parts.train,
            validation: parts.validation.cellCount > 0 ? parts.validation : nil,
            context: FitContext(seed: seed, progress: log)
        ).model
        let predPath = "\(directory)/pred.h5ad"
        let predicted = try ForwardFitting.predict(
            fitted, part: parts.test, columns: parts.columns, seed: seed, cells: config.cells, source: real.path)
        try predicted.write(to: predPath)
        var metrics: [String: [String: Double]] = [:]
        for profile in profiles {
            let evalDirectory = "\(directory)/eval-\(profile)"
            let cachedDE = "\(seedDirectory)/real_de.csv"
            let useCache = FileManager.default.fileExists(atPath: cachedDE) && profile != "pds" && profile != "perturbench"
            var columns = parts.columns
            columns.cellType = nil  // evaluated over all cells of a condition, whatever the cell type
            // Both sides are evaluated as they are in memory; the files are written for the user, not re-read.
            var evaluation = EvaluationConfig(
                realPath: real.path, predPath: predPath, outputDirectory: evalDirectory,
                columns: columns, profile: profile, deRealPath: useCache ? cachedDE : nil,
                threads: threads)
            evaluation.realData = real.data
            evaluation.predData = predicted
            try EvaluationRun.run(evaluation, recorder: RunRecorder(command: ["perturb", "benchmark", "(run)"]))
            if !useCache, FileManager.default.fileExists(atPath: "\(evalDirectory)/real_de.csv") {
                // Atomically: a copy cut short by a kill would be trusted as the cache by the resumed run.
                try AtomicFile.copy(from: "\(evalDirectory)/real_de.csv", to: cachedDE)
            }
            for (tier, values) in try TierMeans.compute(resultsPath: "\(evalDirectory)/results.csv", tiers: tiers) {
                metrics[tier, default: [:]].merge(values) { a, _ in a }
            }
        }
        var sizes: [String: Int] = ["all": CellLevelPrediction.requests(for: parts.test).keys.map(\.perturbation).uniqueCount]
        for tier in Set(tiers.values) { sizes[tier] = tiers.values.filter { $0 == tier }.count }
        let record = RunRecord(
            key: key, dataset: dataset, seed: seed, model: model.label, modelName: model.name,
            hyperparameters: hyper, trials: trials, metrics: metrics, tierSizes: sizes, scores: [:],
            wallSeconds: Date().timeIntervalSince(started), fraction: variant.fraction, imbalance: variant.imbalance)
        try record.write(to: "\(directory)/done.json")
        return record
    }

    /// cell-eval's score of a run's vcc results against each reference model's, same dataset and seed.
    func scores(of record: RunRecord, seedDirectory: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for reference in BenchmarkConfig.referenceModels {
            let user = "\(seedDirectory)/\(safe(record.model))/eval-vcc/agg_results.csv"
            let base = "\(seedDirectory)/\(safe(reference))/eval-vcc/agg_results.csv"
            // ×100, as the VCC leaderboard reports its overall score.
            out[reference] = 100 * (try BaselineScore.compute(userPath: user, basePath: base).average)
        }
        return out
    }
}

/// A name made safe for a directory.
func safe(_ name: String) -> String {
    String(name.map { $0.isLetter || $0.isNumber || "-_.+".contains($0) ? $0 : "_" })
}
