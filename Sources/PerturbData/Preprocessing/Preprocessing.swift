import AnnData
import Foundation
import LinearAlgebra

/// Everything `perturb prep` can do, in the order it is done: canonical labels, QC, counts layer,
/// normalize-total, log1p, rescale, highly variable genes (fit on the training cells of `split` when one is
/// given), gene subset.
public struct PrepOptions: Sendable {
    /// obs vocabulary (perturbation column, control label, cell type for per-condition QC).
    public var columns: DatasetColumns
    /// Read the input matrix from this layer instead of X.
    public var inputLayer: String?
    public var qc = QCOptions()
    /// normalize-total (requires counts).
    public var normalize = false
    /// Target total per cell; nil = median library size of the fitting cells (scanpy's default).
    public var targetSum: Double?
    /// log1p.
    public var log1p = false
    /// Multiply the (log) values by this factor afterwards (e.g. 10, the SCALE / State protocol).
    public var rescale: Double?
    /// Keep the raw counts in this layer.
    public var countsLayer: String?
    /// Highly variable genes to select, if any.
    public var hvg: HVGOptions?
    /// obs column for per-batch HVG selection (scanpy's `batch_key`).
    public var hvgBatchColumn: String?
    /// Select HVGs on this layer instead of the processed X (scanpy's `layer=`; e.g. counts for `seurat_v3`
    /// when X is already log-normalized).
    public var hvgLayer: String?
    /// Subset to the highly variable genes (else only annotate `var`).
    public var subsetToHVG = true
    /// Keep perturbation target genes present in `var` even when not highly variable.
    public var keepTargets = false
    /// Labels from a guide-count file (`--guide-counts`): the AnnData of guide UMIs, where it was read from, and
    /// how to assign; the labels replace the perturbation column.
    public var guides: (counts: AnnData, path: String, assignment: GuideAssignment)?
    /// Fit everything data-dependent (median library size, HVGs) on this split's training cells only.
    public var split: Split?
    /// Where `split` was read from, for messages.
    public var splitName = "split.json"

    public init(columns: DatasetColumns) { self.columns = columns }
}

/// What preprocessing did: sizes before and after, and each step.
public struct PrepSummary: Sendable, Codable {
    public var input: String
    public var inputCells: Int
    public var inputGenes: Int
    public var detectedScale: ValueScale
    public var fitCells: Int
    public var splitHash: String?
    public var steps: [PrepStep] = []
    public var outputCells = 0
    public var outputGenes = 0

    enum CodingKeys: String, CodingKey {
        case input, steps
        case inputCells = "input_cells", inputGenes = "input_genes", detectedScale = "detected_scale"
        case fitCells = "fit_cells", splitHash = "split_hash", outputCells = "output_cells", outputGenes = "output_genes"
    }

    /// A readable multi-line account of the steps.
    public var text: String {
        var lines = ["\(input): \(inputCells) cells × \(inputGenes) genes (\(detectedScale.rawValue))"]
        for step in steps {
            var line = "  \(step.name): \(step.reason)"
            if step.cellsRemoved > 0 { line += "; removed \(step.cellsRemoved) cells" }
            if step.genesRemoved > 0 { line += "; removed \(step.genesRemoved) genes" }
            lines.append(line)
            lines += step.details.prefix(12).map { "      \($0)" }
            if step.details.count > 12 { lines.append("      … \(step.details.count - 12) more") }
        }
        lines.append("  result: \(outputCells) cells × \(outputGenes) genes; fitted on \(fitCells) cells")
        return lines.joined(separator: "\n")
    }
}

/// The preprocessing pipeline on an AnnData object.
public enum Preprocessing {
    /// Runs `options` on `data` (read from `path`, named in messages).
    public static func run(_ input: AnnData, options: PrepOptions, path: String) throws -> (AnnData, PrepSummary) {
        var data = input
        let source = options.inputLayer.map { "layers/\($0)" } ?? "X"
        let matrix: CSRMatrix
        if let layer = options.inputLayer {
            guard let m = data.layers[layer] else {
                throw PrepError.missing(path: path, field: "layers/\(layer)", available: data.layers.keys.sorted())
            }
            matrix = m
        } else {
            guard let m = data.X else { throw PrepError.missing(path: path, field: "X", available: []) }
            matrix = m
        }
        data.X = matrix
        let scale = ValueScale.detect(matrix)
        try ValueScale.checkUniform(matrix, scale: scale, cellIDs: data.obs.index, path: path, field: source)
        var summary = PrepSummary(
            input: path, inputCells: data.cellCount, inputGenes: data.geneCount, detectedScale: scale,
            fitCells: data.cellCount, splitHash: options.split?.contentHash)
        if let column = options.columns.geneNamesColumn {
            let names = try GeneNames(data.variables, column: column, path: path)
            let (variables, idColumn) = try names.reindexing(data.variables)
            data.variables = variables
            summary.steps.append(
                PrepStep(
                    name: "gene-names", reason: "var index from var['\(column)'], the former index kept in var['\(idColumn)']",
                    details: [
                        "\(names.suffixed) repeated names made unique with -1, -2, …",
                        "\(names.missing) genes without a name kept their index entry",
                    ]))
        }

        if let guides = options.guides {
            let assigned = try guides.assignment.assign(cellIDs: data.obs.index, guides: guides.counts, path: guides.path)
            try data.obs.setColumn(options.columns.perturbation, .string(assigned.labels))
            summary.steps.append(
                PrepStep(
                    name: "guide-assignment",
                    reason: "obs['\(options.columns.perturbation)'] from \(guides.path): the targets of every guide with at least "
                        + "\(guides.assignment.threshold) UMIs in the cell",
                    details: [
                        "\(assigned.single) cells with one guide", "\(assigned.multiple) with several",
                        "\(assigned.none) with none (blank labels)",
                    ]))
        }

        // Canonical perturbation labels, written back as a categorical.
        let columns = options.columns
        let labeling = columns.labeling
        if let split = options.split {
            // The split must fit this file before anything is fit on its training cells.
            let cells = try SplitCells(obs: data.obs, columns: split.columns.datasetColumns, path: path)
            _ = try split.checked(against: cells, name: options.splitName)
        }
        let (raw, labels) = try columns.canonicalLabels(in: data.obs, path: path)
        let changed = zip(raw, labels).filter { $0 != $1 }.count
        // Labels other than the control label that mean "control" (`ctrl`, `control`, combinations of control
        // members) are named, so no cell becomes a control unannounced.
        var toControl: [String: Int] = [:]
        for (r, c) in zip(raw, labels) where c == columns.control && r != c { toControl[r, default: 0] += 1 }
        try data.obs.setColumn(columns.perturbation, .categorical(Categorical(labels: labels)))
        summary.steps.append(
            PrepStep(
                name: "canonical-labels", reason: "combinations in sorted member order, control members dropped",
                details: ["\(changed) cells relabelled"]
                    + toControl.keys.sorted().map { "'\($0)' counted as control '\(columns.control)': \(toControl[$0]!) cells" }))

        let cellTypes = try columns.cellType.map { try columns.labels(of: $0, in: data.obs, path: path) }
        let (filtered, qcSteps) = try QualityControl.apply(
            data, labels: labels, cellTypes: cellTypes, labeling: labeling,
            options: options.qc, path: path)
        data = filtered
        summary.steps += qcSteps
        // Categories no cell kept (the blank label, dropped conditions) go, as anndata's writers leave none.
        let kept = try columns.labels(of: columns.perturbation, in: data.obs, path: path)
        try data.obs.setColumn(columns.perturbation, .categorical(Categorical(labels: kept)))
        guard data.cellCount > 0, data.geneCount > 0 else {
            throw PrepError.nothingLeft(path: path, cells: data.cellCount, genes: data.geneCount)
        }

        // Cells every fitted quantity is computed from.
        summary.fitCells = data.cellCount
        var fit: [Int]? = nil
        if let split = options.split {
            let cells = try SplitCells(obs: data.obs, columns: split.columns.datasetColumns, path: path)
            let member = try split.membership(of: cells)
            let train = member.indices.filter { member[$0] == 0 }
            guard !train.isEmpty else { throw PrepError.noTrainingCells(path: path) }
            fit = train
            summary.fitCells = train.count
            summary.steps.append(
                PrepStep(
                    name: "fit-on-train", reason: "median library size and HVGs fit on the split's training cells only",
                    details: ["\(train.count) of \(data.cellCount) cells are training cells"]))
        }

        var X = data.X!
        let counts = scale == .counts ? X : nil
        if let layer = options.countsLayer {
            guard let counts else { throw PrepError.needsCounts(path: path, field: source, purpose: "--counts-layer") }
            data.layers[layer] = counts
        }
        if options.normalize {
            guard scale == .counts else { throw PrepError.needsCounts(path: path, field: source, purpose: "--normalize") }
            let target = options.targetSum ?? Normalization.medianLibrarySize(fit.map { X.selectingRows($0) } ?? X)
            X = Normalization.normalizeTotal(X, targetSum: target)
            summary.steps.append(
                PrepStep(
                    name: "normalize-total",
                    reason: "each cell scaled to \(target) total counts"
                        + (options.targetSum == nil ? " (median library size)" : "")))
        }
        if options.log1p {
            guard scale == .counts else { throw PrepError.alreadyLog(path: path, field: source) }
            X = Normalization.log1p(X)
            summary.steps.append(PrepStep(name: "log1p", reason: "natural log of 1 + x"))
        }
        let unscaled = X  // HVG flavors expect natural-log data, so they see the values before any rescale
        if let factor = options.rescale {
            X = X.mappingValues { $0 * Float(factor) }
            summary.steps.append(PrepStep(name: "rescale", reason: "values multiplied by \(factor)"))
        }
        data.X = X
        let logScale = scale == .log1p || options.log1p

        if let hvg = options.hvg {
            var source = hvg.flavor.wantsCounts ? counts : (logScale ? unscaled : nil)
            if let layer = options.hvgLayer {
                guard let m = data.layers[layer] else {
                    throw PrepError.missing(path: path, field: "layers/\(layer)", available: data.layers.keys.sorted())
                }
                let layerScale = ValueScale.detect(m)
                if hvg.flavor.wantsCounts && layerScale != .counts {
                    throw PrepError.needsCounts(path: path, field: "layers/\(layer)", purpose: "--hvg-flavor \(hvg.flavor.rawValue)")
                }
                source = m
            }
            guard let source else {
                throw hvg.flavor.wantsCounts
                    ? PrepError.needsCounts(path: path, field: "X", purpose: "--hvg-flavor \(hvg.flavor.rawValue)")
                    : PrepError.needsLog(path: path, flavor: hvg.flavor.rawValue)
            }
            let rows = fit.map { source.selectingRows($0) } ?? source
            let batchLabels = try options.hvgBatchColumn.map { name -> [String] in
                let all = try columns.labels(of: name, in: data.obs, path: path)
                return fit.map { f in f.map { all[$0] } } ?? all
            }
            let result = try HighlyVariableGenes.select(rows, options: hvg, batches: batchLabels, geneNames: data.variables.index)
            for (name, values) in result.columns { try data.variables.setColumn(name, values) }
            data.uns["hvg"] = .dictionary(["flavor": .string(hvg.flavor.rawValue)])
            var keep = Set(result.selectedGenes)
            var kept: [String] = []
            if options.keepTargets {
                let targets = Set(labels.flatMap { labeling.members(of: $0) })
                for (g, name) in data.variables.index.enumerated() where targets.contains(name) && !keep.contains(g) {
                    keep.insert(g)
                    kept.append(name)
                }
            }
            var step = PrepStep(
                name: "hvg",
                reason: "\(result.selectedGenes.count) highly variable genes (\(hvg.flavor.rawValue)"
                    + (options.hvgBatchColumn.map { ", per batch of '\($0)'" } ?? "") + ")")
            if options.keepTargets {
                step.details.append(
                    "kept \(kept.count) target genes that are not highly variable: \(kept.prefix(20).joined(separator: ", "))")
            }
            if options.subsetToHVG {
                let before = data.geneCount
                data = data.selectingGenes(keep.sorted())
                step.genesRemoved = before - data.geneCount
            }
            summary.steps.append(step)
        }
        summary.outputCells = data.cellCount
        summary.outputGenes = data.geneCount
        return (data, summary)
    }
}

/// Problems preprocessing a file.
public enum PrepError: Error, Equatable, CustomStringConvertible {
    case missing(path: String, field: String, available: [String])
    case needsCounts(path: String, field: String, purpose: String)
    case alreadyLog(path: String, field: String)
    case needsLog(path: String, flavor: String)
    case nothingLeft(path: String, cells: Int, genes: Int)
    case noTrainingCells(path: String)

    public var description: String {
        switch self {
        case .missing(let p, let f, let available):
            return "\(p): no \(f)" + (available.isEmpty ? "" : " (layers: \(available.joined(separator: ", ")))")
        case .needsCounts(let p, let f, let purpose):
            return "\(p): \(purpose) needs raw counts, but \(f) holds fractional (log-normalized) values; pass --layer with a counts layer"
        case .alreadyLog(let p, let f):
            return "\(p): \(f) is already log-normalized (fractional values); drop --log1p or read counts with --layer"
        case .needsLog(let p, let flavor):
            return "\(p): HVG flavor \(flavor) expects log-normalized data; add --normalize --log1p"
        case .nothingLeft(let p, let c, let g): return "\(p): quality control left \(c) cells × \(g) genes"
        case .noTrainingCells(let p): return "\(p): the split assigns no cell of this file to train"
        }
    }
}
