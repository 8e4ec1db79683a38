import AnnData
import Foundation
import LinearAlgebra
import PerturbData

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
    /// Stage messages ("computing DE for real") and per-stage progress (done, total).
    public var log: (@Sendable (String) -> Void)?
    public var progress: ProgressHandler?

    public init(realPath: String, predPath: String, outputDirectory: String, columns: DatasetColumns = DatasetColumns(),
                profile: String = "full", skipMetrics: [String] = [], deRealPath: String? = nil, dePredPath: String? = nil,
                embedKey: String? = nil, allowDiscrete: Bool = false, fdrScope: DEOptions.FDRScope = .perturbation,
                threads: Int = defaultThreadCount(), log: (@Sendable (String) -> Void)? = nil, progress: ProgressHandler? = nil) {
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
}

/// `perturb eval`: loads and checks both files, computes DE and every metric of the profile, and only then
/// writes `real_de.csv`, `pred_de.csv`, `results.csv`, `agg_results.csv` (per cell type with a prefix) and
/// `manifest.json`, each atomically — an input error leaves no output behind.
public enum EvaluationRun {
    /// Computes every unit without writing.
    public static func compute(_ config: EvaluationConfig) throws -> [EvaluationUnit] {
        let metrics = try MetricCatalog.metrics(profile: config.profile).filter { !config.skipMetrics.contains($0) }
        for name in config.skipMetrics where MetricCatalog.info(name) == nil {
            throw EvaluationError.unknownMetric(name: name, known: MetricCatalog.cellEval.map(\.name))
        }
        config.log?("reading \(config.realPath)")
        let real = try load(config.realPath, config)
        config.log?("reading \(config.predPath)")
        let pred = try load(config.predPath, config)
        let units = try split(real, pred, config)
        let needsDE = MetricCatalog.needsDE(profile: config.profile, metrics: metrics)
        let deReal = try config.deRealPath.map { try DETable.read(path: $0) }
        let dePred = try config.dePredPath.map { try DETable.read(path: $0) }
        var out: [EvaluationUnit] = []
        for (prefix, pair) in units {
            var unit = EvaluationUnit(prefix: prefix, realDE: nil, predDE: nil, results: ResultTable(perturbations: []))
            var comparison: DEComparison? = nil
            if needsDE {
                let options = DEOptions(fdrScope: config.fdrScope, threads: config.threads,
                                        valuesAreLog1p: !(config.allowDiscrete && pair.real.scale == .counts),
                                        progress: config.progress)
                if deReal == nil { config.log?("differential expression, real\(prefix.map { " (\($0))" } ?? "")") }
                unit.realDE = deReal == nil ? DifferentialExpression.run(pair.real, options: options) : nil
                if dePred == nil { config.log?("differential expression, predicted\(prefix.map { " (\($0))" } ?? "")") }
                unit.predDE = dePred == nil ? DifferentialExpression.run(pair.pred, options: options) : nil
                comparison = try DEComparison(real: deReal ?? unit.realDE!, pred: dePred ?? unit.predDE!,
                                              realName: config.deRealPath ?? config.realPath,
                                              predName: config.dePredPath ?? config.predPath)
            }
            config.log?("metrics (\(config.profile))\(prefix.map { " for \($0)" } ?? "")")
            unit.results = try Evaluator.evaluate(metrics: metrics, pair: pair, de: comparison,
                                                  embedded: config.embedKey != nil, threads: config.threads)
            out.append(unit)
        }
        return out
    }

    /// Computes, then writes every output; returns the paths written.
    @discardableResult
    public static func run(_ config: EvaluationConfig, command: [String]) throws -> [String] {
        let started = Date()
        let units = try compute(config)
        try FileManager.default.createDirectory(atPath: config.outputDirectory, withIntermediateDirectories: true)
        var written: [String] = []
        for unit in units {
            let prefix = unit.prefix.map { $0.replacingOccurrences(of: "/", with: "-") + "_" } ?? ""
            if let de = unit.realDE {
                let path = config.outputDirectory + "/\(prefix)real_de.csv"
                try de.write(to: path, threads: config.threads); written.append(path)
            }
            if let de = unit.predDE {
                let path = config.outputDirectory + "/\(prefix)pred_de.csv"
                try de.write(to: path, threads: config.threads); written.append(path)
            }
            try unit.results.write(to: config.outputDirectory, prefix: unit.prefix)
            written += ["\(prefix)results.csv", "\(prefix)agg_results.csv"].map { config.outputDirectory + "/" + $0 }
        }
        let inputs = [config.realPath, config.predPath] + [config.deRealPath, config.dePredPath].compactMap { $0 }
        let manifestPath = config.outputDirectory + "/manifest.json"
        try Manifest.make(command: command, inputPaths: inputs, started: started, outputs: written).write(to: manifestPath)
        return written + [manifestPath]
    }

    /// Reads one file, checks its values, and brings counts to log1p (unless discrete data are allowed).
    static func load(_ path: String, _ config: EvaluationConfig) throws -> (data: PerturbationDataset, embedding: Matrix<Double>?) {
        let options = ReadOptions(matrix: .x, obsm: config.embedKey != nil, progress: nil)
        let anndata = try AnnData.read(path: path, options: options)
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

    /// The units to evaluate: the whole pair, or one pair per cell type (in order of appearance in the real
    /// file), each checked before anything is computed.
    static func split(_ real: (data: PerturbationDataset, embedding: Matrix<Double>?),
                      _ pred: (data: PerturbationDataset, embedding: Matrix<Double>?),
                      _ config: EvaluationConfig) throws -> [(String?, EvaluationPair)] {
        guard let cellTypeColumn = config.columns.cellType, let realTypes = real.data.cellTypes,
              let predTypes = pred.data.cellTypes else {
            return [(nil, try EvaluationPair(real: real.data, pred: pred.data, realPath: config.realPath,
                                             predPath: config.predPath, realEmbedding: real.embedding,
                                             predEmbedding: pred.embedding))]
        }
        var order: [String] = [], seen = Set<String>()
        for t in realTypes where seen.insert(t).inserted { order.append(t) }
        let predSet = Set(predTypes)
        if Set(order) != predSet {
            throw EvaluationError.perturbationMismatch(real: config.realPath + " (\(cellTypeColumn))",
                                                       pred: config.predPath + " (\(cellTypeColumn))",
                                                       onlyReal: Set(order).subtracting(predSet).sorted(),
                                                       onlyPred: predSet.subtracting(order).sorted())
        }
        return try order.map { type in
            let r = realTypes.indices.filter { realTypes[$0] == type }, p = predTypes.indices.filter { predTypes[$0] == type }
            let realPart = real.data.selectingCells(r), predPart = pred.data.selectingCells(p)
            for (part, path) in [(realPart, config.realPath), (predPart, config.predPath)] where part.controlCells.isEmpty {
                throw EvaluationError.emptyGroup(path: path, field: config.columns.perturbation,
                                                 label: "\(config.columns.control) in \(cellTypeColumn)=\(type)")
            }
            let pair = try EvaluationPair(real: realPart, pred: predPart, realPath: "\(config.realPath) [\(type)]",
                                          predPath: "\(config.predPath) [\(type)]",
                                          realEmbedding: real.embedding?.selectingRows(r),
                                          predEmbedding: pred.embedding?.selectingRows(p))
            return (type, pair)
        }
    }
}
