import AnnData
import Foundation
import LinearAlgebra
import PerturbData
import Support

/// Everything `perturb eval` needs to know.
public struct EvaluationConfig: Sendable {
    public var realPath: String
    public var predPath: String
    public var outputDirectory: String
    public var columns: DatasetColumns
    public var profile: String
    public var skipMetrics: [String]
    public var deRealPath: String?
    public var dePredPath: String?
    public var embedKey: String?
    public var allowDiscrete: Bool
    public var fdrScope: DEOptions.FDRScope
    public var threads: Int
    /// The control cells the prediction is evaluated against (default: its own, as cell-eval 0.8.2).
    public var controls: ControlSource = .pred
    /// Stage messages ("computing DE for real") and per-stage progress (done, total).
    public var log: (@Sendable (String) -> Void)?
    public var progress: ProgressHandler?
    /// Findings a user must see even when stage messages are off: the predicted file's controls differ from the
    /// real file's (nil: sent to `log`).
    public var notice: (@Sendable (String) -> Void)?
    /// The real and predicted data already in memory: evaluated without writing and re-reading an h5ad (the
    /// paths then only name them in messages, and nothing is hashed). The benchmark's search uses this.
    public var realData: AnnData?
    public var predData: AnnData?

    public init(
        realPath: String, predPath: String, outputDirectory: String, columns: DatasetColumns = DatasetColumns(),
        profile: String = "full", skipMetrics: [String] = [], deRealPath: String? = nil, dePredPath: String? = nil,
        embedKey: String? = nil, allowDiscrete: Bool = false, fdrScope: DEOptions.FDRScope = .perturbation,
        threads: Int = defaultThreadCount(), log: (@Sendable (String) -> Void)? = nil, progress: ProgressHandler? = nil
    ) {
        self.realPath = realPath; self.predPath = predPath; self.outputDirectory = outputDirectory
        self.columns = columns; self.profile = profile; self.skipMetrics = skipMetrics
        self.deRealPath = deRealPath; self.dePredPath = dePredPath; self.embedKey = embedKey
        self.allowDiscrete = allowDiscrete; self.fdrScope = fdrScope; self.threads = threads
        self.log = log; self.progress = progress
    }
}

/// One evaluated unit (the whole data, or one cell type) before anything is written.
public struct EvaluationUnit: Sendable {
    /// Cell-type prefix of the output files (nil: none).
    public var prefix: String?
    /// DE tables computed here (nil when read from `--de-real` / `--de-pred` or not needed).
    public var realDE: DETable?, predDE: DETable?
    /// The metric values.
    public var results: ResultTable
    /// How cell-like the predicted cells are.
    public var calibration: CalibrationSummary
    /// How the predicted file's control cells differ from the real file's (the whole files, not this unit).
    public var controls: ControlComparison
}

/// `perturb eval`: loads and checks both files, computes DE and every metric of the profile, and only then
/// writes `real_de.csv`, `pred_de.csv`, `results.csv`, `agg_results.csv` (per cell type with a prefix) and
/// `manifest.json` as one unit (`StagedOutputs`: staged, then moved into place with the manifest last) — an input
/// error leaves no output behind, and a killed run leaves the previous complete set or none.
public enum EvaluationRun {
    /// Computes every unit without writing. Both files' obs/var are checked first; then each file is read,
    /// summarized (DE, pseudobulks, cell-level statistics) and released before the other is read.
    public static func compute(_ config: EvaluationConfig) throws -> [EvaluationUnit] {
        try computeHashing(config).units
    }

    /// `compute`, hashing each input for the manifest on a background thread while it is being read.
    static func computeHashing(_ config: EvaluationConfig) throws -> (units: [EvaluationUnit], hashes: [String: BackgroundHash]) {
        let metrics = try MetricRegistry.profile(config.profile).metrics.filter { !config.skipMetrics.contains($0) }
        for name in config.skipMetrics where MetricRegistry.metric(name) == nil {
            throw EvaluationError.unknownMetric(name: name, known: MetricRegistry.cellEval.map(\.name))
        }
        if config.controls == .real && config.embedKey != nil {
            throw EvaluationError.incompatibleOptions(
                "--controls real cannot be combined with --embed-key: the real control cells have no predicted embedding")
        }
        try precheck(config)
        let deReal = try config.deRealPath.map { try DETable.read(path: $0) }
        let dePred = try config.dePredPath.map { try DETable.read(path: $0) }
        // Cell moments are always summarized: the calibration check is printed with every evaluation.
        let needs = SideNeeds.of(metrics).union(.moments)
        var realNeeds = needs, predNeeds = needs
        if deReal != nil { realNeeds.remove(.de) }
        if dePred != nil { predNeeds.remove(.de) }
        var hashes: [String: BackgroundHash] = [:]
        for path in [config.deRealPath, config.dePredPath].compactMap({ $0 }) { hashes[path] = BackgroundHash(path: path) }
        // A side read from disk is hashed while it is read; one evaluated in memory only when it also lies on
        // disk (the benchmark writes its predictions for the user).
        func recorded(_ path: String, _ data: AnnData?) -> Bool { data == nil || FileManager.default.fileExists(atPath: path) }
        if recorded(config.realPath, config.realData) { hashes[config.realPath] = BackgroundHash(path: config.realPath) }
        let (realSides, realControls) = try summarize(
            config.realPath, "real", config, inMemory: config.realData, needs: realNeeds, keepControls: config.controls == .real)
        _ = try hashes[config.realPath]?.value()  // done during the read; never overlaps the DE threads
        if recorded(config.predPath, config.predData) {
            hashes[config.predPath] = hashes[config.predPath] ?? BackgroundHash(path: config.predPath)
        }
        let axes = Dictionary(
            realSides.compactMap { prefix, side in side.pca.map { (prefix ?? "", $0) } },
            uniquingKeysWith: { a, _ in a })
        let controls = Dictionary(
            realSides.compactMap { prefix, side in side.controlMoments.map { (prefix ?? "", $0) } },
            uniquingKeysWith: { a, _ in a })
        let (predSides, predControls) = try summarize(
            config.predPath, "predicted", config, inMemory: config.predData, needs: predNeeds,
            axes: axes, controls: controls, replacingControls: realControls.cells)
        let controlComparison = ControlComparison(
            real: realControls.fingerprint, pred: predControls.fingerprint, genes: realSides[0].1.genes)
        let controlLine = controlComparison.line(using: config.controls)
        if controlComparison.identical { config.log?(controlLine) } else { (config.notice ?? config.log)?(controlLine) }
        var out: [EvaluationUnit] = []
        for (prefix, real) in realSides {
            guard let pred = predSides.first(where: { $0.0 == prefix })?.1 else { continue }
            let pair = try EvaluationPair(real: real, pred: pred)
            var comparison: DEComparison? = nil
            if needs.contains(.de) {
                comparison = try DEComparison(
                    real: deReal ?? real.de!, pred: dePred ?? pred.de!,
                    realName: config.deRealPath ?? real.path, predName: config.dePredPath ?? pred.path)
            }
            config.log?("metrics (\(config.profile))\(prefix.map { " for \($0)" } ?? "")")
            let results = try Evaluator.evaluate(
                metrics: metrics, pair: pair, de: comparison,
                embedded: config.embedKey != nil)
            let calibration = try CalibrationSummary(pair, de: comparison)
            for line in calibration.lines(unit: prefix) { config.log?(line) }
            out.append(
                EvaluationUnit(
                    prefix: prefix, realDE: real.de, predDE: pred.de, results: results, calibration: calibration,
                    controls: controlComparison))
        }
        return (out, hashes)
    }

    /// Checks genes, perturbation sets and cell types of both files from obs/var alone.
    static func precheck(_ config: EvaluationConfig) throws {
        let options = ReadOptions(matrix: nil, obsm: false)
        let real = try config.realData ?? AnnData.read(path: config.realPath, options: options)
        let pred = try config.predData ?? AnnData.read(path: config.predPath, options: options)
        try EvaluationChecks.sameGenes(
            real: real.variables.index, pred: pred.variables.index, realPath: config.realPath,
            predPath: config.predPath)
        let labeling = config.columns.labeling
        let labels = { (data: AnnData, path: String) in
            Set(try config.columns.labels(of: config.columns.perturbation, in: data.obs, path: path).map { labeling.canonical($0) })
        }
        try EvaluationChecks.samePerturbations(
            real: Array(try labels(real, config.realPath)),
            pred: Array(try labels(pred, config.predPath)),
            realPath: config.realPath, predPath: config.predPath)
        if let column = config.columns.cellType {
            let r = Set(try config.columns.labels(of: column, in: real.obs, path: config.realPath))
            let p = Set(try config.columns.labels(of: column, in: pred.obs, path: config.predPath))
            if r != p {
                throw EvaluationError.perturbationMismatch(
                    real: config.realPath + " (\(column))", pred: config.predPath + " (\(column))",
                    onlyReal: r.subtracting(p).sorted(), onlyPred: p.subtracting(r).sorted())
            }
        }
    }

    /// Reads one file and summarizes it, per cell type (in order of appearance) when asked.
    static func summarize(
        _ path: String, _ name: String, _ config: EvaluationConfig, inMemory: AnnData?, needs: SideNeeds,
        axes: [String: PCA] = [:], controls: [String: GroupMoments] = [:], keepControls: Bool = false,
        replacingControls substitute: PerturbationDataset? = nil
    ) throws -> (sides: [(String?, EvaluationSide)], controls: (fingerprint: ControlFingerprint, cells: PerturbationDataset?)) {
        config.log?("reading \(path)")
        let (own, embedding) = try load(path, config, inMemory: inMemory)
        let fingerprint = ControlFingerprint(own)
        let kept = keepControls ? own.selectingCells(own.controlCells) : nil
        let data = substitute.map { own.replacingControls(with: $0) } ?? own
        return (
            try sides(of: data, path, name, config, embedding: embedding, needs: needs, axes: axes, controls: controls), (fingerprint, kept)
        )
    }

    /// The evaluation sides of `data`: the whole, or one per cell type.
    static func sides(
        of data: PerturbationDataset, _ path: String, _ name: String, _ config: EvaluationConfig, embedding: Matrix<Double>?,
        needs: SideNeeds, axes: [String: PCA], controls: [String: GroupMoments]
    ) throws -> [(String?, EvaluationSide)] {
        let deOptions = DEOptions(
            fdrScope: config.fdrScope, threads: config.threads,
            valuesAreLog1p: data.scale != .counts, progress: config.progress)
        guard let column = config.columns.cellType, let types = data.cellTypes else {
            if needs.contains(.de) { config.log?("differential expression, \(name)") }
            return [
                (
                    nil,
                    EvaluationSide(
                        data, path: path, embedding: embedding, needs: needs, deOptions: deOptions,
                        pca: axes[""], referenceControl: controls[""])
                )
            ]
        }
        var order: [String] = [], seen = Set<String>()
        for t in types where seen.insert(t).inserted { order.append(t) }
        return try order.map { type in
            let cells = types.indices.filter { types[$0] == type }
            let part = data.selectingCells(cells)
            guard !part.controlCells.isEmpty else {
                throw EvaluationError.emptyGroup(
                    path: path, field: config.columns.perturbation,
                    label: "\(config.columns.control) in \(column)=\(type)")
            }
            if needs.contains(.de) { config.log?("differential expression, \(name) (\(type))") }
            return (
                type,
                EvaluationSide(
                    part, path: "\(path) [\(type)]", embedding: embedding?.selectingRows(cells),
                    needs: needs, deOptions: deOptions, pca: axes[type], referenceControl: controls[type])
            )
        }
    }

    /// Computes, then writes every output; returns the paths written.
    @discardableResult
    public static func run(_ config: EvaluationConfig, recorder: RunRecorder) throws -> [String] {
        try StagedOutputs.checkDestination(config.outputDirectory)
        let (units, hashes) = try computeHashing(config)
        // Written as one unit: a killed run leaves the previous complete set or this one, never a mixture.
        let stage = try StagedOutputs(directory: config.outputDirectory)
        do {
            var written: [String] = []
            config.log?("writing results to \(config.outputDirectory)")
            for unit in units {
                let prefix = unit.prefix.map { $0.replacingOccurrences(of: "/", with: "-") + "_" } ?? ""
                if let de = unit.realDE {
                    try de.write(to: stage.path("\(prefix)real_de.csv"), threads: config.threads)
                    written.append("\(prefix)real_de.csv")
                }
                if let de = unit.predDE {
                    try de.write(to: stage.path("\(prefix)pred_de.csv"), threads: config.threads)
                    written.append("\(prefix)pred_de.csv")
                }
                try unit.results.write(to: stage.staging, prefix: unit.prefix)
                written += ["\(prefix)results.csv", "\(prefix)agg_results.csv"]
            }
            var inputs: [String: String] = [:]
            for (path, hash) in hashes { inputs[path] = try hash.value() }
            let outputs = written.map(stage.finalPath)
            try recorder.finish(at: stage.path("manifest.json"), inputs: inputs, outputs: outputs)
            try stage.commit()
            return outputs + [stage.finalPath("manifest.json")]
        } catch {
            stage.abandon()
            throw error
        }
    }

    /// Reads one file, checks its values, and brings counts to log1p (unless discrete data are allowed).
    static func load(_ path: String, _ config: EvaluationConfig, inMemory: AnnData?) throws
        -> (data: PerturbationDataset, embedding: Matrix<Double>?)
    {
        let options = ReadOptions(matrix: .x, obsm: config.embedKey != nil, progress: nil)
        let anndata = try inMemory ?? AnnData.read(path: path, options: options)
        if let X = anndata.X { try EvaluationChecks.finiteNonNegative(X, path: path, field: "X") }
        var embedding: Matrix<Double>? = nil
        if let key = config.embedKey {
            guard let m = anndata.obsm[key] else {
                throw EvaluationError.missingField(path: path, field: "obsm/\(key)", available: anndata.obsm.keys.sorted())
            }
            embedding = m
        }
        var data = try PerturbationDataset(anndata, columns: config.columns, path: path)
        if data.scale == .counts && !config.allowDiscrete { data = data.normalizedLog1p() }
        return (data, embedding)
    }
}
