import Foundation
import Metrics
import Models
import PerturbData
import Statistics
import TOMLKit

/// A benchmark: datasets × one split strategy × models × seeds, evaluated with metric profiles. Read from
/// TOML (`perturb benchmark bench.toml`); see docs/BENCHMARK_CONFIG.md for every key.
public struct BenchmarkConfig: Sendable, Equatable {
    /// One dataset: a file, its columns, and how to prepare it.
    public struct Dataset: Sendable, Equatable {
        public var name: String
        public var path: String
        public var columns: DatasetColumns
        public var layer: String?
        /// QC applied once; normalization, log1p and HVGs fit per seed on the training cells only.
        public var prep: Prep?
    }

    /// The preparation steps a benchmark can run (the `perturb prep` options that matter for benchmarks).
    public struct Prep: Sendable, Equatable {
        public var keep: String?
        public var dropLabels: [String] = []
        public var minCellsPerCondition = 50
        public var minCellsPerCombination = 30
        public var normalize = false
        public var log1p = false
        public var hvg: Int?
        public var hvgFlavor = "seurat"

        /// The text a run key hashes for `prep`: Swift's reflection of the optional as it read when this type
        /// lived in the module `Benchmark`, written out so that renaming a module or type never invalidates
        /// finished runs.
        static func runKeyText(_ prep: Prep?) -> String {
            guard let p = prep else { return "nil" }
            return "Optional(Benchmark.BenchmarkConfig.Prep(keep: \(String(reflecting: p.keep)), "
                + "dropLabels: \(String(reflecting: p.dropLabels)), minCellsPerCondition: \(p.minCellsPerCondition), "
                + "minCellsPerCombination: \(p.minCellsPerCombination), normalize: \(p.normalize), log1p: \(p.log1p), "
                + "hvg: \(String(reflecting: p.hvg)), hvgFlavor: \(String(reflecting: p.hvgFlavor))))"
        }
    }

    /// One model to run: a registry name, a display label, fixed hyperparameters and an optional search.
    public struct Model: Sendable, Equatable {
        public var name: String
        public var label: String
        public var hyperparameters: [String: String]
        /// The searched hyperparameters: a list of values, or a real or integer interval (optionally on a log
        /// scale). `trials` configurations are fit on the training part and scored on the validation part by the
        /// benchmark's search objective; the best is retrained on every seed.
        public var search: [String: SearchDimension]
        public var trials: Int
        /// How trial configurations are proposed (`sampler` of the model, else of `[search]`).
        public var sampler: SearchSampler = .tpe
    }

    public var name: String
    public var seeds: [UInt64]
    public var profiles: [String]
    public var primaryMetric: String
    public var datasets: [Dataset]
    public var strategy: String
    public var splitParameters: [String: String]
    public var models: [Model]
    /// The search's objective and sampler settings (`[search]`).
    public var search: SearchSettings
    /// How predicted cells are made from each model's predicted mean (`cells = "resample"` or `"shift"`).
    public var cells: CellGeneration
    /// Skew levels of the imbalance scenario (`SplitParts.withImbalance`): every model is fit once per level on a
    /// training part whose conditions are subsampled to skewed cell counts; nil runs the data as it is.
    public var imbalance: [Double]?
    /// Directory of the TOML file: relative paths in it are resolved against it.
    public var baseDirectory: String
    /// The TOML file (for messages).
    public var path: String

    /// Split keys that take numbers (the others take text: fractions, holdout, batch lists).
    static let numericSplitKeys: Set = [
        "val", "test", "unseen_singles", "move_to_train", "holdout_count", "n_test_batches", "n_val_batches",
    ]

    /// The most seeds a benchmark may ask for (each is a full split × models × profiles run).
    public static let maximumSeeds = 1000

    /// The models always run as score references (added when missing): cell-mean is the VCC's baseline.
    public static let referenceModels = ["cell-mean", "control-mean", "perturbation-mean"]

    /// Parses `text` (from `path`, for messages and relative paths).
    public init(toml text: String, path: String) throws {
        if let bad = TOMLParserGuard.firstAbort(in: text) {
            throw BenchmarkError.unreadableConfig(path: path, reason: "not valid TOML (line \(bad.line): \(bad.problem))")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch {
            throw BenchmarkError.unreadableConfig(path: path, reason: "not valid TOML (\(error))")
        }
        let reader = TOMLReader(path: path)
        self.path = path
        baseDirectory = (URL(fileURLWithPath: path).deletingLastPathComponent().path)
        name = try reader.string(table, "name") ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        // The name becomes a directory (bench-<name>) and a report title: no path separators, no hidden or parent names.
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.count <= 100 else {
            throw BenchmarkError.invalidField(
                path: path, field: "name", expected: "a plain name (no '/', not starting with '.', at most 100 characters), got '\(name)'")
        }
        if table["seeds_list"] != nil, table["seeds"] != nil {
            throw BenchmarkError.invalidField(path: path, field: "seeds", expected: "either seeds or seeds_list, not both")
        }
        if let list = try reader.strings(table, "seeds_list") {
            seeds = try list.map { s in
                guard let v = UInt64(s) else {
                    throw BenchmarkError.invalidField(path: path, field: "seeds_list", expected: "non-negative integers")
                }
                return v
            }
            guard !seeds.isEmpty, Set(seeds).count == seeds.count else {
                throw BenchmarkError.invalidField(
                    path: path, field: "seeds_list", expected: "one or more distinct seeds, got \(list)")
            }
        } else {
            let count = try reader.int(table, "seeds") ?? 5
            guard (1...Self.maximumSeeds).contains(count) else {
                throw BenchmarkError.invalidField(path: path, field: "seeds", expected: "1 to \(Self.maximumSeeds), got \(count)")
            }
            seeds = (0..<UInt64(count)).map { $0 }
        }
        profiles = try reader.strings(table, "profiles") ?? ["vcc", "perturbench"]
        for p in profiles where !MetricRegistry.profileNames.contains(p) {
            throw BenchmarkError.invalidField(
                path: path, field: "profiles", expected: "names among \(MetricRegistry.profileNames.joined(separator: ", ")), got '\(p)'")
        }
        primaryMetric = try reader.string(table, "primary") ?? "pearson_delta"
        let cellsName = try reader.string(table, "cells") ?? CellGeneration.resample.rawValue
        guard let generation = CellGeneration(rawValue: cellsName) else {
            throw BenchmarkError.invalidField(
                path: path, field: "cells",
                expected: "one of \(CellGeneration.allCases.map(\.rawValue).joined(separator: ", ")), got '\(cellsName)'")
        }
        cells = generation
        if let levels = try reader.strings(table, "imbalance") {
            let values = levels.compactMap(Double.init)
            guard !levels.isEmpty, values.count == levels.count, values.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw BenchmarkError.invalidField(
                    path: path, field: "imbalance", expected: "skew levels ≥ 0, e.g. [0, 0.5, 1], got \(levels)")
            }
            imbalance = Array(Set(values)).sorted()
        } else {
            imbalance = nil
        }
        guard let info = MetricRegistry.metric(primaryMetric), info.best != .none else {
            throw BenchmarkError.invalidField(
                path: path, field: "primary", expected: "a metric with a best direction, got '\(primaryMetric)'")
        }
        // The runner always evaluates vcc (the scores need it); the primary metric must come from some profile run.
        let primary = primaryMetric, run = profiles
        let evaluated = Set((run + ["vcc"]).flatMap { (try? MetricRegistry.profile($0).metrics) ?? [] })
        guard evaluated.contains(primary) else {
            let having = MetricRegistry.profiles.filter { $0.metrics.contains(primary) }.map(\.name)
            throw BenchmarkError.invalidField(
                path: path, field: "primary",
                expected: "a metric of the profiles run (\(run.joined(separator: ", "))): '\(primary)' is in "
                    + (having.isEmpty ? "none" : having.joined(separator: ", ")) + "; add one of them to profiles")
        }
        let settings = try SearchSettings(table["search"], primary: primaryMetric, reader: reader)
        search = settings
        let base = baseDirectory
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (base as NSString).appendingPathComponent(p) }

        guard let datasetTables = table["datasets"]?.array, !datasetTables.isEmpty else {
            throw BenchmarkError.invalidField(path: path, field: "datasets", expected: "one or more [[datasets]] tables")
        }
        datasets = try datasetTables.enumerated().map { i, value in
            guard let t = value.table else { throw BenchmarkError.invalidField(path: path, field: "datasets[\(i)]", expected: "a table") }
            let field = "datasets[\(i)]"
            guard let file = try reader.string(t, "path", in: field) else {
                throw BenchmarkError.invalidField(path: path, field: field + ".path", expected: "the .h5ad file")
            }
            let columns = DatasetColumns(
                perturbation: try reader.string(t, "pert_col", in: field) ?? DatasetColumns.defaultPerturbation,
                control: try reader.string(t, "control", in: field) ?? DatasetColumns.defaultControl,
                cellType: try reader.string(t, "celltype_col", in: field),
                batch: try reader.string(t, "batch_col", in: field))
            var prep: Prep? = nil
            if let p = t["prep"]?.table {
                let f = field + ".prep"
                var spec = Prep()
                spec.keep = try reader.string(p, "keep", in: f)
                spec.dropLabels = try reader.strings(p, "drop_labels", in: f) ?? []
                spec.minCellsPerCondition = try reader.int(p, "min_cells_per_condition", in: f) ?? 50
                spec.minCellsPerCombination = try reader.int(p, "min_cells_per_combination", in: f) ?? 30
                spec.normalize = try reader.bool(p, "normalize", in: f) ?? false
                spec.log1p = try reader.bool(p, "log1p", in: f) ?? false
                spec.hvg = try reader.int(p, "hvg", in: f)
                if let hvg = spec.hvg, hvg < 1 {
                    throw BenchmarkError.invalidField(path: path, field: f + ".hvg", expected: "at least 1 gene, got \(hvg)")
                }
                for (key, value) in [
                    ("min_cells_per_condition", spec.minCellsPerCondition), ("min_cells_per_combination", spec.minCellsPerCombination),
                ]
                where value < 0 {
                    throw BenchmarkError.invalidField(path: path, field: "\(f).\(key)", expected: "0 or more cells, got \(value)")
                }
                spec.hvgFlavor = try reader.string(p, "hvg_flavor", in: f) ?? "seurat"
                try reader.checkKeys(
                    p,
                    [
                        "keep", "drop_labels", "min_cells_per_condition", "min_cells_per_combination",
                        "normalize", "log1p", "hvg", "hvg_flavor",
                    ], in: f)
                prep = spec
            }
            try reader.checkKeys(t, ["name", "path", "pert_col", "control", "celltype_col", "batch_col", "layer", "prep"], in: field)
            return Dataset(
                name: try reader.string(t, "name", in: field) ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent,
                path: resolve(file), columns: columns, layer: try reader.string(t, "layer", in: field), prep: prep)
        }
        guard Set(datasets.map(\.name)).count == datasets.count else {
            throw BenchmarkError.invalidField(path: path, field: "datasets", expected: "distinct names")
        }

        guard let split = table["split"]?.table else {
            throw BenchmarkError.invalidField(path: path, field: "split", expected: "a [split] table with a strategy")
        }
        guard let strategy = try reader.string(split, "strategy", in: "split") else {
            throw BenchmarkError.invalidField(
                path: path, field: "split.strategy", expected: "unseen-perturbation, combo, covariate-transfer, batch or data-scaling")
        }
        self.strategy = strategy
        var parameters: [String: String] = [:]
        for (key, value) in split where key != "strategy" {
            // Numbers must be TOML numbers: val = "0.15" is a typo for val = 0.15, not a value to guess at.
            if Self.numericSplitKeys.contains(key), value.int == nil, value.double == nil {
                throw BenchmarkError.invalidField(path: path, field: "split.\(key)", expected: "a number (without quotes)")
            }
            parameters[key] = try reader.text(value, "split.\(key)")
        }
        splitParameters = parameters
        do { _ = try SplitStrategy(name: strategy, parameters: parameters, columns: datasets[0].columns) } catch {
            throw BenchmarkError.invalidField(path: path, field: "split", expected: "valid split settings (\(error))")
        }

        guard let modelTables = table["models"]?.array, !modelTables.isEmpty else {
            throw BenchmarkError.invalidField(path: path, field: "models", expected: "one or more [[models]] tables")
        }
        var models: [Model] = try modelTables.enumerated().map { i, value in
            guard let t = value.table else { throw BenchmarkError.invalidField(path: path, field: "models[\(i)]", expected: "a table") }
            let field = "models[\(i)]"
            guard let name = try reader.string(t, "name", in: field) else {
                throw BenchmarkError.invalidField(
                    path: path, field: field + ".name", expected: "a model name (\(forwardModels.names.joined(separator: ", ")))")
            }
            let type = try forwardModels.type(named: name)
            var hyper: [String: String] = [:]
            if let p = t["params"]?.table { for (k, v) in p { hyper[k] = try reader.text(v, "\(field).params.\(k)") } }
            var search: [String: SearchDimension] = [:]
            if let s = t["search"]?.table {
                for (k, v) in s { search[k] = try reader.dimension(v, "\(field).search.\(k)") }
            }
            for key in Set(hyper.keys).union(search.keys) where type.hyperparameterHelp[key] == nil {
                throw BenchmarkError.invalidField(
                    path: path, field: "\(field): \(key)",
                    expected: "a hyperparameter of \(name) (\(type.hyperparameterHelp.keys.sorted().joined(separator: ", ")))")
            }
            // A feature table is a path relative to the config; the built-in feature names are not.
            let builtIn: Set = ["onehot", "loadings"]
            if let features = hyper["features"], !builtIn.contains(features) { hyper["features"] = resolve(features) }
            if case .choice(let values) = search["features"] {
                search["features"] = .choice(values.map { builtIn.contains($0) ? $0 : resolve($0) })
            }
            try reader.checkKeys(t, ["name", "label", "params", "search", "trials", "sampler"], in: field)
            let trials = try reader.int(t, "trials", in: field) ?? 10
            guard trials >= 1 else { throw BenchmarkError.invalidField(path: path, field: "\(field).trials", expected: "at least 1") }
            let sampler = try reader.sampler(t, "sampler", in: field) ?? settings.sampler
            if sampler == .grid, let (k, _) = search.first(where: { !$0.value.isChoice }) {
                throw BenchmarkError.invalidField(
                    path: path, field: "\(field).search.\(k)", expected: "a list of values (the grid sampler takes no intervals)")
            }
            return Model(
                name: name, label: try reader.string(t, "label", in: field) ?? name, hyperparameters: hyper,
                search: search, trials: trials, sampler: sampler)
        }
        for reference in Self.referenceModels.reversed() where !models.contains(where: { $0.label == reference }) {
            models.insert(Model(name: reference, label: reference, hyperparameters: [:], search: [:], trials: 1), at: 0)
        }
        guard Set(models.map(\.label)).count == models.count else {
            throw BenchmarkError.invalidField(
                path: path, field: "models", expected: "distinct labels (set `label` when a model appears twice)")
        }
        self.models = models
        try reader.checkKeys(
            table,
            ["name", "seeds", "seeds_list", "profiles", "primary", "cells", "imbalance", "search", "datasets", "split", "models"],
            in: "top level")
    }

    /// Reads and parses the file at `path`.
    public static func read(path: String) throws -> BenchmarkConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchmarkError.unreadableConfig(path: path, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BenchmarkError.unreadableConfig(path: path, reason: "not UTF-8 text (TOML files are UTF-8)")
        }
        return try BenchmarkConfig(toml: text, path: path)
    }
}

/// Typed access to TOML values with errors that name the file and key.
struct TOMLReader {
    let path: String

    private func fail(_ field: String, _ expected: String) -> BenchmarkError {
        .invalidField(path: path, field: field, expected: expected)
    }
    private func name(_ key: String, _ scope: String?) -> String { scope.map { "\($0).\(key)" } ?? key }

    func string(_ t: TOMLTable, _ key: String, in scope: String? = nil) throws -> String? {
        guard let v = t[key] else { return nil }
        guard let s = v.string else { throw fail(name(key, scope), "a string") }
        return s
    }

    func int(_ t: TOMLTable, _ key: String, in scope: String? = nil) throws -> Int? {
        guard let v = t[key] else { return nil }
        guard let i = v.int else { throw fail(name(key, scope), "an integer") }
        return i
    }

    func bool(_ t: TOMLTable, _ key: String, in scope: String? = nil) throws -> Bool? {
        guard let v = t[key] else { return nil }
        guard let b = v.bool else { throw fail(name(key, scope), "true or false") }
        return b
    }

    func strings(_ t: TOMLTable, _ key: String, in scope: String? = nil) throws -> [String]? {
        guard let v = t[key] else { return nil }
        guard let a = v.array else { throw fail(name(key, scope), "an array") }
        return try a.map { try text($0, name(key, scope)) }
    }

    /// Any scalar as text (numbers as Swift prints them).
    func text(_ v: any TOMLValueConvertible, _ field: String) throws -> String {
        if let s = v.string { return s }
        if let i = v.int { return String(i) }
        if let d = v.double { return String(d) }
        if let b = v.bool { return String(b) }
        throw fail(field, "a string, number or boolean")
    }

    func double(_ t: TOMLTable, _ key: String, in scope: String? = nil) throws -> Double? {
        guard let v = t[key] else { return nil }
        if let i = v.int { return Double(i) }
        guard let d = v.double else { throw fail(name(key, scope), "a number") }
        return d
    }

    func sampler(_ t: TOMLTable, _ key: String, in scope: String? = nil) throws -> SearchSampler? {
        guard let text = try string(t, key, in: scope) else { return nil }
        guard let s = SearchSampler(rawValue: text) else {
            throw fail(name(key, scope), "one of \(SearchSampler.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return s
    }

    /// A searched hyperparameter: a non-empty list of values, or `{ low, high, log }` (integers when both bounds are
    /// TOML integers; `log = true` needs low > 0).
    func dimension(_ v: any TOMLValueConvertible, _ field: String) throws -> SearchDimension {
        if let values = v.array {
            guard !values.isEmpty else { throw fail(field, "a non-empty array of values or { low, high, log }") }
            return .choice(try values.map { try text($0, field) })
        }
        guard let t = v.table else { throw fail(field, "a non-empty array of values or { low, high, log }") }
        try checkKeys(t, ["low", "high", "log"], in: field)
        guard let low = try double(t, "low", in: field), let high = try double(t, "high", in: field), low.isFinite, high.isFinite,
            low < high
        else { throw fail(field, "finite bounds low < high") }
        let log = try bool(t, "log", in: field) ?? false
        if let l = t["low"]?.int, let h = t["high"]?.int {
            guard !log || l >= 1 else { throw fail("\(field).low", "at least 1 on a log scale") }
            return .integer(low: l, high: h, log: log)
        }
        guard !log || low > 0 else { throw fail("\(field).low", "greater than 0 on a log scale") }
        return .real(low: low, high: high, log: log)
    }

    func checkKeys(_ t: TOMLTable, _ known: [String], in scope: String) throws {
        for key in t.keys.sorted() where !known.contains(key) {
            throw fail("\(scope): \(key)", "one of \(known.joined(separator: ", ")) (unknown key)")
        }
    }
}
