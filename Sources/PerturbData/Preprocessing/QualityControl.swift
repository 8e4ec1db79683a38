import AnnData
import LinearAlgebra

/// Quality-control filters of `perturb prep`, applied in this order: kept obs values, blank labels, dropped labels, cells
/// (total counts, detected genes), genes (cells expressing them), then conditions with too few cells.
public struct QCOptions: Sendable, Equatable {
    /// Keep only cells whose obs `column` has one of `values` (e.g. one dataset of a combined file).
    public var keep: (column: String, values: [String])? = nil

    /// `COLUMN=V1,V2` (`--keep`, a benchmark's `prep.keep`) as a column and its values; nil when either is missing.
    public static func keepFilter(_ text: String) -> (column: String, values: [String])? {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (parts[0], parts[1].split(separator: ",").map(String.init))
    }
    /// Perturbation labels whose cells are removed (e.g. `unassigned`, `multiple`).
    public var dropLabels: [String] = []
    /// Minimum total counts per cell (scanpy `filter_cells(min_counts=)`).
    public var minCountsPerCell: Double = 0
    /// Minimum detected genes per cell (scanpy `filter_cells(min_genes=)`).
    public var minGenesPerCell = 0
    /// Minimum cells expressing a gene (scanpy `filter_genes(min_cells=)`).
    public var minCellsPerGene = 0
    /// Minimum cells of a single perturbation (per cell type when one is given); controls are exempt.
    public var minCellsPerSingle = 50
    /// Minimum cells of a combination of two or more perturbations.
    public var minCellsPerCombination = 30

    public init() {}

    public static func == (a: QCOptions, b: QCOptions) -> Bool {
        a.keep?.column == b.keep?.column && a.keep?.values == b.keep?.values && a.dropLabels == b.dropLabels
            && a.minCountsPerCell == b.minCountsPerCell && a.minGenesPerCell == b.minGenesPerCell
            && a.minCellsPerGene == b.minCellsPerGene && a.minCellsPerSingle == b.minCellsPerSingle
            && a.minCellsPerCombination == b.minCellsPerCombination
    }
}

/// One step of preprocessing and what it removed or changed.
public struct PrepStep: Sendable, Codable, Equatable {
    /// Short name (e.g. `drop-labels`, `min-genes-per-cell`).
    public var name: String
    /// What the step did, in words.
    public var reason: String
    public var cellsRemoved = 0
    public var genesRemoved = 0
    /// Specifics: removed labels with their cell counts, first removed genes, …
    public var details: [String] = []
}

/// The quality-control filters on an AnnData object whose perturbation labels are already canonical.
enum QualityControl {
    /// Applies `options` to `data`; `labels` are the canonical perturbation labels of its cells, `cellTypes`
    /// the cell types when conditions are per cell type. Returns the filtered object and the steps.
    static func apply(
        _ data: AnnData, labels: [String], cellTypes: [String]?, labeling: ConditionLabeling,
        options: QCOptions, path: String
    ) throws -> (AnnData, [PrepStep]) {
        var data = data, labels = labels, cellTypes = cellTypes
        var steps: [PrepStep] = []
        func keepCells(_ keep: [Int]) {
            data = data.selectingCells(keep)
            labels = keep.map { labels[$0] }
            cellTypes = cellTypes.map { v in keep.map { v[$0] } }
        }
        if let (column, values) = options.keep {
            guard let obsColumn = data.obs[column] else {
                throw PerturbDataError.missingColumn(path: path, column: column, available: data.obs.columnNames)
            }
            let present = obsColumn.labels()
            let wanted = Set(values)
            let absent = values.filter { v in !present.contains(v) }
            guard absent.isEmpty else {
                throw PerturbDataError.invalidValues(
                    path: path, field: "obs/\(column)",
                    reason:
                        "no cell has \(absent.joined(separator: ", ")) (values: \(Set(present.compactMap { $0 }).sorted().prefix(12).joined(separator: ", ")))"
                )
            }
            let before = labels.count
            keepCells(present.indices.filter { present[$0].map(wanted.contains) ?? false })
            steps.append(
                PrepStep(
                    name: "keep-cells", reason: "cells with \(column) in \(values.joined(separator: ", "))",
                    cellsRemoved: before - labels.count))
        }
        let blank = labels.lazy.filter { $0 == ConditionLabeling.blank }.count
        if blank > 0 {
            keepCells(labels.indices.filter { labels[$0] != ConditionLabeling.blank })
            steps.append(
                PrepStep(
                    name: "blank-labels",
                    reason: "cells with a blank perturbation label (no perturbation assigned, e.g. no guide detected); "
                        + "they are neither controls nor perturbed", cellsRemoved: blank))
        }
        if !options.dropLabels.isEmpty {
            let drop = Set(options.dropLabels.map { labeling.canonical($0) })
            let counts = Dictionary(grouping: labels.filter { drop.contains($0) }, by: { $0 }).mapValues(\.count)
            keepCells(labels.indices.filter { !drop.contains(labels[$0]) })
            steps.append(
                PrepStep(
                    name: "drop-labels", reason: "cells labelled \(options.dropLabels.joined(separator: ", "))",
                    cellsRemoved: counts.values.reduce(0, +),
                    details: counts.keys.sorted().map { "\($0): \(counts[$0]!) cells" }))
        }
        if options.minCountsPerCell > 0 || options.minGenesPerCell > 0, let X = data.X {
            let totals = X.rowSums(), detected = X.rowNonZeroCounts()
            let keep = (0..<X.rows).filter { totals[$0] >= options.minCountsPerCell && detected[$0] >= options.minGenesPerCell }
            let lowCounts = (0..<X.rows).filter { totals[$0] < options.minCountsPerCell }.count
            let lowGenes = (0..<X.rows).filter { detected[$0] < options.minGenesPerCell }.count
            keepCells(keep)
            steps.append(
                PrepStep(
                    name: "cell-filter",
                    reason: "cells with fewer than \(options.minCountsPerCell) counts or \(options.minGenesPerCell) detected genes",
                    cellsRemoved: X.rows - keep.count,
                    details: ["below min counts: \(lowCounts)", "below min genes: \(lowGenes)"]))
        }
        if options.minCellsPerGene > 0, let X = data.X {
            let cells = X.columnNonZeroCounts()
            let keep = cells.indices.filter { cells[$0] >= options.minCellsPerGene }
            let removed = cells.indices.filter { cells[$0] < options.minCellsPerGene }
            let names = data.variables.index
            data = data.selectingGenes(keep)
            steps.append(
                PrepStep(
                    name: "gene-filter", reason: "genes detected in fewer than \(options.minCellsPerGene) cells",
                    genesRemoved: removed.count,
                    details: removed.prefix(20).map { names[$0] } + (removed.count > 20 ? ["…"] : [])))
        }
        let conditionOf = { (cell: Int) -> String in
            cellTypes.map { "\(labels[cell]) | \($0[cell])" } ?? labels[cell]
        }
        var sizes: [String: Int] = [:]
        for cell in labels.indices { sizes[conditionOf(cell), default: 0] += 1 }
        let small = Set(
            labels.indices.compactMap { cell -> String? in
                let label = labels[cell]
                guard label != labeling.controlLabel else { return nil }
                let minimum = labeling.members(of: label).count > 1 ? options.minCellsPerCombination : options.minCellsPerSingle
                return sizes[conditionOf(cell)]! < minimum ? conditionOf(cell) : nil
            })
        if !small.isEmpty || options.minCellsPerSingle > 0 || options.minCellsPerCombination > 0 {
            let keep = labels.indices.filter { !small.contains(conditionOf($0)) }
            let removed = labels.count - keep.count
            keepCells(keep)
            steps.append(
                PrepStep(
                    name: "condition-filter",
                    reason: "conditions with fewer than \(options.minCellsPerSingle) cells (singles) or "
                        + "\(options.minCellsPerCombination) cells (combinations); controls exempt",
                    cellsRemoved: removed, details: small.sorted().map { "\($0): \(sizes[$0]!) cells" }))
        }
        return (data, steps)
    }
}
