import AnnData
import LinearAlgebra

/// scanpy's highly-variable-gene flavors.
public enum HVGFlavor: String, Sendable, Codable, CaseIterable {
    /// Dispersion of expm1(log data), log-dispersion z-scored within 20 equal-width bins of log mean.
    case seurat
    /// Dispersion of the (log) data as given, robust z-score (median, MAD) within mean-percentile bins.
    case cellRanger = "cell_ranger"
    /// Variance of clipped standardized counts against a LOESS mean–variance trend; ranks merged by median.
    case seuratV3 = "seurat_v3"
    /// As `seuratV3`, but across batches genes are ordered by the number of batches first.
    case seuratV3Paper = "seurat_v3_paper"

    /// Whether the flavor expects raw counts (the v3 flavors) rather than log-normalized data.
    public var wantsCounts: Bool { self == .seuratV3 || self == .seuratV3Paper }
}

/// scanpy's cutoffs for the dispersion flavors when no gene count is given.
public struct HVGCutoffs: Sendable, Equatable, Codable {
    public var minMean = 0.0125
    public var maxMean = 3.0
    public var minDispersion = 0.5
    public var maxDispersion = Double.infinity

    public init(
        minMean: Double = 0.0125, maxMean: Double = 3, minDispersion: Double = 0.5,
        maxDispersion: Double = .infinity
    ) {
        self.minMean = minMean
        self.maxMean = maxMean
        self.minDispersion = minDispersion
        self.maxDispersion = maxDispersion
    }

    func contains(mean: Double, dispersion: Double) -> Bool {
        mean > minMean && mean < maxMean && dispersion > minDispersion && dispersion < maxDispersion
    }
}

/// How many genes to call highly variable.
public enum HVGSelection: Sendable, Equatable {
    /// The `n` most variable genes (scanpy's `n_top_genes`).
    case top(Int)
    /// Every gene within the mean and normalized-dispersion cutoffs (dispersion flavors only).
    case cutoffs(HVGCutoffs)
}

/// Options of `HighlyVariableGenes.select`, named as scanpy's `highly_variable_genes` arguments.
public struct HVGOptions: Sendable, Equatable {
    public var flavor: HVGFlavor
    public var selection: HVGSelection
    /// Number of mean bins (`seurat` flavor).
    public var bins: Int
    /// LOESS span (v3 flavors).
    public var span: Double

    public init(flavor: HVGFlavor = .seurat, selection: HVGSelection = .top(2000), bins: Int = 20, span: Double = 0.3) {
        self.flavor = flavor
        self.selection = selection
        self.bins = bins
        self.span = span
    }
}

/// Per-gene results of a highly-variable-gene selection, as scanpy stores them in `var`.
public struct HVGResult: Sendable {
    /// Whether each gene is highly variable.
    public var highlyVariable: [Bool]
    /// Named per-gene columns in scanpy's order (e.g. `means`, `dispersions`, `dispersions_norm`).
    public var columns: [(name: String, values: Column)]

    /// Indices of the highly variable genes, ascending.
    public var selectedGenes: [Int] { highlyVariable.indices.filter { highlyVariable[$0] } }
}

/// Highly variable genes with scanpy 1.11's definitions (`sc.pp.highly_variable_genes`).
public enum HighlyVariableGenes {
    /// Selects highly variable genes of `matrix` (cells × genes). `batches`, when given, holds each row's batch
    /// and the selection is made per batch and merged as scanpy does with `batch_key`. Dispersion flavors
    /// expect log1p data; the v3 flavors expect counts. `geneNames` break ties as scanpy's name-sorted
    /// grouping does in the batched dispersion flavors.
    public static func select(
        _ matrix: CSRMatrix, options: HVGOptions, batches: [String]? = nil,
        geneNames: [String]? = nil
    ) throws -> HVGResult {
        if let batches { precondition(batches.count == matrix.rows, "one batch per cell") }
        switch options.flavor {
        case .seurat, .cellRanger:
            if let batches { return try DispersionHVG.batched(matrix, batches: batches, geneNames: geneNames, options: options) }
            let frame = try DispersionHVG.singleBatch(matrix, options: options)
            return frame.result(includeBatchColumns: false)
        case .seuratV3, .seuratV3Paper:
            guard case .top(let n) = options.selection else { throw HVGError.needsGeneCount(options.flavor) }
            return try SeuratV3HVG.select(matrix, topGenes: n, batches: batches, options: options)
        }
    }
}

/// Problems selecting highly variable genes.
public enum HVGError: Error, Equatable, CustomStringConvertible {
    case needsGeneCount(HVGFlavor)
    case duplicateBinEdges([Double])
    case tooFewGenes(batch: String?, count: Int)
    case loess(batch: String?, reason: String)

    public var description: String {
        switch self {
        case .needsGeneCount(let f): return "HVG flavor \(f.rawValue) needs a gene count (--hvg N)"
        case .duplicateBinEdges(let edges):
            return
                "cell_ranger HVG: the mean-percentile bin edges are not unique (\(edges.prefix(6).map { String($0) }.joined(separator: ", ")) …); "
                + "scanpy fails here too — filter unexpressed genes first (--min-cells) or use --hvg-flavor seurat"
        case .tooFewGenes(let b, let n):
            return "HVG\(b.map { " in batch '\($0)'" } ?? ""): only \(n) genes vary; too few to fit the mean–variance trend"
        case .loess(let b, let reason): return "HVG LOESS fit\(b.map { " in batch '\($0)'" } ?? "") failed: \(reason)"
        }
    }
}
