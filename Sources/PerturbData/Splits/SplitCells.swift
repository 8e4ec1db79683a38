import AnnData

/// The per-cell annotations a split is made from or checked against: ids and canonical perturbation labels,
/// plus any other obs column on demand. Only obs is needed, never the expression matrix.
public struct SplitCells: Sendable {
    /// Cell ids (obs index).
    public let ids: [String]
    /// Canonical perturbation label of each cell.
    public let labels: [String]
    /// How labels are read.
    public let labeling: ConditionLabeling
    /// The columns vocabulary.
    public let columns: DatasetColumns
    let obs: DataFrame
    let path: String

    /// Cells of `obs` (from `path`, for messages); checks the perturbation column, the control label and
    /// that cell ids are unique.
    public init(obs: DataFrame, columns: DatasetColumns, path: String) throws {
        let labels = try columns.canonicalLabels(in: obs, path: path).canonical
        try columns.refuseBlankLabels(labels, path: path)
        let duplicates = obs.duplicateIndexValues()
        guard duplicates.isEmpty else {
            throw PerturbDataError.invalidValues(
                path: path, field: "obs index",
                reason: "cell ids repeat (\(duplicates.prefix(5).joined(separator: ", "))); a split needs unique ids")
        }
        self.ids = obs.index
        self.labels = labels
        self.labeling = columns.labeling
        self.columns = columns
        self.obs = obs
        self.path = path
    }

    /// Number of cells.
    public var count: Int { ids.count }

    /// Whether cell `i` is a control.
    public func isControl(_ i: Int) -> Bool { labels[i] == labeling.controlLabel }

    /// The values of obs column `name` (canonical labels for the perturbation column).
    public func values(of name: String) throws -> [String] {
        name == columns.perturbation ? labels : try columns.labels(of: name, in: obs, path: path)
    }

    /// Each cell's unit key: the values of `unitColumns` joined by `" | "`.
    public func unitKeys(_ unitColumns: [String]) throws -> [String] {
        let columns = try unitColumns.map { try values(of: $0) }
        return (0..<count).map { i in columns.map { $0[i] }.joined(separator: " | ") }
    }
}
