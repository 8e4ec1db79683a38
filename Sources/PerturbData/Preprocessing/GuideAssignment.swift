import AnnData
import LinearAlgebra

/// Perturbation labels from a guide-count matrix, the usual assignment of high-MOI screens (pertpy's
/// `GuideAssignment.assign_by_threshold`): each cell gets every guide with at least `threshold` UMIs. The counts come
/// as their own AnnData (cells × guides, as a MuData `gdo` modality or Cell Ranger's CRISPR feature matrix), its
/// obs index holding the cell ids of the expression file and its var the guide names.
public struct GuideAssignment: Sendable, Equatable {
    /// Minimum UMIs of a guide in a cell for the cell to carry it.
    public var threshold: Double
    /// var column of the guide file naming each guide's target (guides of one target count once; a guide whose target
    /// is the control label makes its cells controls); nil: the guide names are the targets.
    public var targetColumn: String?

    public init(threshold: Double, targetColumn: String? = nil) {
        self.threshold = threshold
        self.targetColumn = targetColumn
    }

    /// What the assignment gave.
    public struct Result: Sendable, Equatable {
        /// One label per cell of the expression file: its targets joined by `+` (sorted, each once), blank when no
        /// guide reached the threshold.
        public var labels: [String]
        /// Cells with targets of one guide, of several, and of none.
        public var single = 0, multiple = 0, none = 0
    }

    /// Labels for the cells `cellIDs` from `guides` (read from `path`); every cell must be in the guide file.
    public func assign(cellIDs: [String], guides: AnnData, path: String) throws -> Result {
        guard let counts = guides.X else {
            throw PerturbDataError.emptyMatrix(path: path, field: "X", rows: guides.cellCount, columns: guides.geneCount)
        }
        let targets =
            try targetColumn.map { column -> [String] in
                guard let values = guides.variables[column]?.labels() else {
                    throw PerturbDataError.missingColumn(path: path, column: "var/\(column)", available: guides.variables.columnNames)
                }
                return values.map { $0 ?? "" }
            } ?? guides.variables.index
        var row: [String: Int] = [:]
        for (i, id) in guides.obs.index.enumerated() where row[id] == nil { row[id] = i }
        let absent = cellIDs.filter { row[$0] == nil }
        guard absent.isEmpty else {
            throw PerturbDataError.invalidValues(
                path: path, field: "obs index",
                reason: "\(absent.count) of \(cellIDs.count) cells of the expression file have no guide counts (e.g. "
                    + absent.prefix(3).map { "'\($0)'" }.joined(separator: ", ") + ")")
        }
        var result = Result(labels: [])
        result.labels.reserveCapacity(cellIDs.count)
        for id in cellIDs {
            let r = row[id]!
            let guidesOfCell = counts.range(ofRow: r).filter { Double(counts.values[$0]) >= threshold }
            let members = Set(guidesOfCell.map { targets[Int(counts.columnIndices[$0])] }.filter { !ConditionLabeling.isBlank($0) })
            switch guidesOfCell.count {
            case 0: result.none += 1
            case 1: result.single += 1
            default: result.multiple += 1
            }
            result.labels.append(members.sorted().joined(separator: String(ConditionLabeling.joiner)))
        }
        return result
    }
}
