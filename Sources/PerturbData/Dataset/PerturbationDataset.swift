import AnnData
import LinearAlgebra
import Support

/// A perturbation experiment in memory: expression as CSR plus per-cell perturbation, cell type and batch
/// labels, and an index of the cells of each condition.
public struct PerturbationDataset: Sendable {
    /// Expression (cells × genes).
    public var expression: CSRMatrix
    /// Gene names (unique).
    public let genes: [String]
    /// Cell identifiers.
    public let cellIDs: [String]
    /// Canonical perturbation label of each cell.
    public let perturbations: [String]
    /// Cell type of each cell, when known.
    public let cellTypes: [String]?
    /// Batch of each cell, when known.
    public let batches: [String]?
    /// How labels are read (control label, combination separator).
    public let labeling: ConditionLabeling
    /// Scale of `expression`.
    public var scale: ValueScale
    /// Cells of each perturbation and condition.
    public let groups: GroupIndex

    /// A dataset from its parts; labels are canonicalized (`B+A` → `A+B`, `A+ctrl` → `A`).
    public init(
        expression: CSRMatrix, genes: [String], cellIDs: [String], perturbations: [String],
        cellTypes: [String]? = nil, batches: [String]? = nil, controlLabel: String,
        scale: ValueScale? = nil
    ) {
        precondition(expression.rows == perturbations.count && expression.rows == cellIDs.count, "one label per cell")
        precondition(expression.columns == genes.count, "one name per gene")
        let labeling = ConditionLabeling(controlLabel: controlLabel)
        let canonical = perturbations.map { labeling.canonical($0) }
        self.expression = expression
        self.genes = genes
        self.cellIDs = cellIDs
        self.perturbations = canonical
        self.cellTypes = cellTypes
        self.batches = batches
        self.labeling = labeling
        self.scale = scale ?? ValueScale.detect(expression)
        self.groups = GroupIndex(perturbations: canonical, cellTypes: cellTypes, batches: batches)
    }

    /// Builds a dataset from AnnData, checking columns, the control label and gene names.
    /// `checkingValues: false` skips the value-scale checks (`checkValues`), for a command that only describes
    /// the file.
    public init(_ data: AnnData, columns: DatasetColumns, path: String, checkingValues: Bool = true) throws {
        guard let X = data.X else {
            throw PerturbDataError.emptyMatrix(path: path, field: "X", rows: data.cellCount, columns: data.geneCount)
        }
        guard X.rows > 0, X.columns > 0 else {
            throw PerturbDataError.emptyMatrix(path: path, field: "X", rows: X.rows, columns: X.columns)
        }
        let genes = try columns.geneNames(of: data.variables, path: path)
        // A NaN or infinity would flow into every mean a model fits and come out as NaN parameters or zero cells.
        if let bad = X.values.firstIndex(where: { !$0.isFinite }) {
            let count = X.values.lazy.filter { !$0.isFinite }.count
            let row = X.rowPointers.lastIndex { $0 <= Int64(bad) }!
            let column = Int(X.columnIndices[bad])
            throw PerturbDataError.invalidValues(
                path: path, field: "X",
                reason: "\(count) NaN or infinite values, the first at row \(row) (cell '\(data.obs.index[row])'), column "
                    + "\(column) (gene '\(genes[column])'); remove or impute them first")
        }
        let duplicates = DataFrame(index: genes).duplicateIndexValues()
        guard duplicates.isEmpty else {
            throw PerturbDataError.duplicateGenes(path: path, examples: duplicates, count: duplicates.count)
        }
        var labels = try columns.labels(of: columns.perturbation, in: data.obs, path: path)
        var cellTypes = try columns.cellType.map { try columns.labels(of: $0, in: data.obs, path: path) }
        var batches = try columns.batch.map { try columns.labels(of: $0, in: data.obs, path: path) }
        guard labels.contains(columns.control) else {
            let distinct = Array(Set(labels))
            throw PerturbDataError.controlAbsent(
                path: path, column: columns.perturbation, control: columns.control,
                closest: closestLabels(to: columns.control, among: distinct))
        }
        var expression = X
        var cellIDs = data.obs.index
        if !columns.dropLabels.isEmpty {
            let drop = Set(columns.dropLabels)
            let keep = labels.indices.filter { !drop.contains(labels[$0]) }
            expression = X.selectingRows(keep)
            labels = keep.map { labels[$0] }
            cellIDs = keep.map { cellIDs[$0] }
            cellTypes = cellTypes.map { values in keep.map { values[$0] } }
            batches = batches.map { values in keep.map { values[$0] } }
        }
        let labeling = columns.labeling
        labels = labels.map { labeling.canonical($0) }
        try columns.refuseBlankLabels(labels, path: path)
        let scale = ValueScale.detect(expression)
        if checkingValues { try Self.checkValues(expression, scale: scale, cellIDs: cellIDs, path: path) }
        self.init(
            expression: expression, genes: genes, cellIDs: cellIDs, perturbations: labels,
            cellTypes: cellTypes, batches: batches, controlLabel: columns.control, scale: scale)
    }

    /// Refuses values no reader can use: rows of mixed scales (`ValueScale.checkUniform`), and log1p-looking
    /// values outside [0, `ValueScale.log1pLimit`). `scale` is the detected scale of `expression`.
    public static func checkValues(_ expression: CSRMatrix, scale: ValueScale, cellIDs: [String], path: String) throws {
        try ValueScale.checkUniform(expression, scale: scale, cellIDs: cellIDs, path: path, field: "X")
        if scale == .log1p, let range = expression.valueRange(),
            range.min < 0 || range.max >= ValueScale.log1pLimit
        {
            throw PerturbDataError.invalidValues(
                path: path, field: "X",
                reason: "looks log1p-normalized (fractional values) "
                    + "but values span [\(range.min), \(range.max)]; expected [0, \(ValueScale.log1pLimit))")
        }
    }

    /// Reads an `.h5ad` file (X or `layer`) into a dataset.
    public static func load(
        path: String, columns: DatasetColumns, layer: String? = nil,
        progress: ProgressHandler? = nil
    ) throws -> PerturbationDataset {
        let options = ReadOptions(matrix: layer.map { .layer($0) } ?? .x, obsm: false, progress: progress)
        return try PerturbationDataset(try AnnData.read(path: path, options: options), columns: columns, path: path)
    }

    /// Number of cells.
    public var cellCount: Int { expression.rows }
    /// Number of genes.
    public var geneCount: Int { expression.columns }
    /// The control label.
    public var controlLabel: String { labeling.controlLabel }
    /// Indices of control cells.
    public var controlCells: [Int] { groups.cellsByPerturbation[controlLabel] ?? [] }
    /// Perturbation labels other than the control, sorted.
    public var perturbationLabels: [String] { groups.perturbations.filter { $0 != controlLabel } }

    /// The same dataset on the log1p scale: counts get normalize-total (median library size) + log1p.
    public func normalizedLog1p(targetSum: Double? = nil) -> PerturbationDataset {
        guard scale == .counts else { return self }
        var out = self
        out.expression = Normalization.logNormalize(expression, targetSum: targetSum)
        out.scale = .log1p
        return out
    }

    /// cell-eval's cell-mean baseline profile: the mean over every label (the control's included) of that label's
    /// mean expression, each label mean rounded to float32 as cell-eval's pseudobulks are.
    public func labelMeanProfile() -> [Float] {
        var sum = [Double](repeating: 0, count: geneCount)
        let labels = groups.perturbations
        for label in labels {
            let mean = expression.columnMeans(rows: groups.cellsByPerturbation[label] ?? [])
            for j in mean.indices { sum[j] += Double(Float(mean[j])) }
        }
        return sum.map { Float($0 / Double(max(labels.count, 1))) }
    }

    /// The cells at `indices`, in that order, as a new dataset.
    /// This dataset with its control cells replaced by `controls`' control cells (same genes): its perturbed cells
    /// first, then those controls. Cell types and batches are kept where both have them.
    public func replacingControls(with controls: PerturbationDataset) -> PerturbationDataset {
        precondition(controls.genes == genes, "controls from a dataset of other genes")
        let own = (0..<cellCount).filter { perturbations[$0] != controlLabel }, theirs = controls.controlCells
        func joined(_ a: [String]?, _ b: [String]?) -> [String]? {
            guard let a, let b else { return nil }
            return own.map { a[$0] } + theirs.map { b[$0] }
        }
        return PerturbationDataset(
            expression: expression.selectingRows(own).stacking(controls.expression.selectingRows(theirs)), genes: genes,
            cellIDs: own.map { cellIDs[$0] } + theirs.map { controls.cellIDs[$0] },
            perturbations: own.map { perturbations[$0] } + Array(repeating: controlLabel, count: theirs.count),
            cellTypes: joined(cellTypes, controls.cellTypes), batches: joined(batches, controls.batches),
            controlLabel: controlLabel, scale: scale)
    }

    public func selectingCells(_ indices: [Int]) -> PerturbationDataset {
        PerturbationDataset(
            expression: expression.selectingRows(indices), genes: genes,
            cellIDs: indices.map { cellIDs[$0] }, perturbations: indices.map { perturbations[$0] },
            cellTypes: cellTypes.map { v in indices.map { v[$0] } },
            batches: batches.map { v in indices.map { v[$0] } }, controlLabel: controlLabel, scale: scale)
    }
}
