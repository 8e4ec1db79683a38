import AnnData
import Foundation
import LinearAlgebra
import Support

/// What `perturb inspect` reports about a file.
public struct DatasetSummary: Sendable, Codable, Equatable {
    /// One obs column: name, type and number of distinct values.
    public struct ObsColumn: Sendable, Codable, Equatable {
        public let name: String
        public let type: String
        public let distinct: Int
    }
    /// A label and its cell count.
    public struct LabelCount: Sendable, Codable, Equatable {
        public let label: String
        public let cells: Int
    }

    public let path: String
    public let cells: Int
    public let genes: Int
    public let storedEntries: Int
    /// Fraction of matrix entries that are non-zero.
    public let density: Double
    public let scale: ValueScale
    public let minValue: Float
    public let maxValue: Float
    public let obsColumns: [ObsColumn]
    public let layers: [String]
    public let obsm: [String]
    public let perturbationColumn: String
    public let controlLabel: String
    public let controlCells: Int
    /// Cells whose perturbation label is blank (no perturbation assigned): neither controls nor perturbed, not in
    /// the counts of labels below; `perturb prep` drops them.
    public let blankCells: Int
    /// Why other commands would refuse the values (mixed scales, log1p values out of range); empty when none.
    /// `inspect` describes such a file instead of refusing it.
    public let valueProblems: [String]
    /// Distinct canonical labels other than the control (including labels such as `unassigned`).
    public let perturbations: Int
    /// How many of those are combinations `A+B`.
    public let combinations: Int
    /// Perturbation members (targets) that are not among the file's gene names, sorted; for a CRISPR screen each
    /// is a target whose knockdown cannot be seen in the data (or a name in another nomenclature: see
    /// `--gene-names-col`).
    public let unmeasuredTargets: [String]
    /// Labels that mark cells without a usable assignment (`unassigned`, `multiple`, …) and their counts.
    public let unassignedLabels: [LabelCount]
    public let largestGroups: [LabelCount]
    public let smallestGroups: [LabelCount]
    public let cellTypes: [LabelCount]?
    public let batches: [LabelCount]?

    /// Labels treated as "no usable assignment" (compared case-insensitively).
    public static let unassignedNames: Set<String> = [
        "unassigned", "multiple", "multiplet", "doublet", "none", "nan",
        "na", "unknown", "negative", "ambiguous",
    ]

    /// Summarizes `path`, reading X (or `layer`) and obs.
    public static func inspect(
        path: String, columns: DatasetColumns, layer: String? = nil,
        progress: ProgressHandler? = nil
    ) throws -> DatasetSummary {
        let file = try H5ADFile(path: path)
        let data = try AnnData.read(
            from: file,
            options: ReadOptions(
                matrix: layer.map { .layer($0) } ?? .x, obsm: false,
                progress: progress))
        let canonical = try columns.canonicalLabels(in: data.obs, path: path).canonical
        let blank = canonical.indices.filter { canonical[$0] == ConditionLabeling.blank }
        let assigned = blank.isEmpty ? data : data.selectingCells(canonical.indices.filter { canonical[$0] != ConditionLabeling.blank })
        let dataset = try PerturbationDataset(assigned, columns: columns, path: path, checkingValues: false)
        var problems: [String] = []
        do {
            try PerturbationDataset.checkValues(dataset.expression, scale: dataset.scale, cellIDs: dataset.cellIDs, path: path)
        } catch {
            problems.append("\(error)")
        }
        guard let matrix = data.X else {
            throw PerturbDataError.emptyMatrix(path: path, field: "X", rows: data.cellCount, columns: data.geneCount)
        }
        let range = matrix.valueRange() ?? (0, 0)
        let obsColumns = data.obs.columnNames.map { name -> ObsColumn in
            let column = data.obs[name]!
            return ObsColumn(name: name, type: column.typeName, distinct: Set(column.labels().map { $0 ?? "<NA>" }).count)
        }
        let groups = dataset.perturbationLabels.map { LabelCount(label: $0, cells: dataset.groups.cellsByPerturbation[$0]!.count) }
        let measured = Set(dataset.genes)
        let targets = Set(dataset.perturbationLabels.flatMap { dataset.labeling.members(of: $0) })
        let unmeasured = targets.filter { !measured.contains($0) && !unassignedNames.contains($0.lowercased()) }.sorted()
        let bySize = groups.sorted { $0.cells != $1.cells ? $0.cells > $1.cells : $0.label < $1.label }
        func counts(_ labels: [String]?) -> [LabelCount]? {
            labels.map { values in
                Dictionary(grouping: values, by: { $0 }).map { LabelCount(label: $0.key, cells: $0.value.count) }
                    .sorted { $0.label < $1.label }
            }
        }
        return DatasetSummary(
            path: path, cells: matrix.rows, genes: matrix.columns, storedEntries: matrix.nonZeroCount,
            density: matrix.density, scale: dataset.scale, minValue: range.min, maxValue: range.max,
            obsColumns: obsColumns, layers: try file.layerKeys(), obsm: try file.obsmKeys(),
            perturbationColumn: columns.perturbation, controlLabel: columns.control,
            controlCells: dataset.controlCells.count, blankCells: blank.count, valueProblems: problems, perturbations: groups.count,
            combinations: groups.filter { dataset.labeling.isCombination($0.label) }.count,
            unmeasuredTargets: unmeasured, unassignedLabels: groups.filter { unassignedNames.contains($0.label.lowercased()) },
            largestGroups: Array(bySize.prefix(5)), smallestGroups: Array(bySize.suffix(5).reversed()),
            cellTypes: counts(dataset.cellTypes), batches: counts(dataset.batches))
    }

    /// The summary as readable text.
    public func rendered() -> String {
        func list(_ items: [LabelCount]) -> String { items.map { "\($0.label) (\($0.cells))" }.joined(separator: ", ") }
        var lines = [
            "file          \(path)",
            "shape         \(cells) cells × \(genes) genes",
            "stored        \(storedEntries) non-zero entries (\(String(format: "%.2f", density * 100)) % dense)",
            "scale         \(scale.rawValue) (values in [\(minValue), \(maxValue)])",
            "perturbations \(perturbations) labels besides control '\(controlLabel)' in obs['\(perturbationColumn)'], "
                + "\(combinations) of them combinations",
            "controls      \(controlCells) cells",
        ]
        for problem in valueProblems { lines.append("problem       \(problem) (fit, predict and eval refuse such values)") }
        if blankCells > 0 {
            lines.append("blank         \(blankCells) cells with no perturbation label (neither controls nor perturbed; prep drops them)")
        }
        if !unmeasuredTargets.isEmpty {
            let examples = unmeasuredTargets.prefix(8).joined(separator: ", ") + (unmeasuredTargets.count > 8 ? ", …" : "")
            lines.append(
                "unmeasured    \(unmeasuredTargets.count) perturbation members are not gene names here (drugs, unmeasured "
                    + "targets or another nomenclature: --gene-names-col): \(examples)")
        }
        if !unassignedLabels.isEmpty { lines.append("unassigned    \(list(unassignedLabels))") }
        if !largestGroups.isEmpty {
            lines.append("largest       \(list(largestGroups))")
            lines.append("smallest      \(list(smallestGroups))")
        }
        if let cellTypes { lines.append("cell types    \(cellTypes.count): \(list(cellTypes))") }
        if let batches { lines.append("batches       \(batches.count): \(list(batches))") }
        if !layers.isEmpty { lines.append("layers        \(layers.joined(separator: ", "))") }
        if !obsm.isEmpty { lines.append("obsm          \(obsm.joined(separator: ", "))") }
        lines.append("obs columns")
        for column in obsColumns { lines.append("  \(column.name): \(column.type), \(column.distinct) distinct") }
        return lines.joined(separator: "\n")
    }
}
