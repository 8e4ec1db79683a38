import AnnData

/// Which obs columns and labels describe the experiment — the `--pert-col`, `--control`, `--celltype-col`,
/// `--batch-col` vocabulary every command shares.
public struct DatasetColumns: Sendable, Equatable {
    /// obs column with the perturbation label of each cell.
    public var perturbation: String
    /// Label of control cells in that column.
    public var control: String
    /// obs column with the cell type, if any.
    public var cellType: String?
    /// obs column with the batch, if any.
    public var batch: String?
    /// Labels whose cells are dropped on load (e.g. `unassigned`, `multiple`).
    public var dropLabels: [String]
    /// The dataset's own separator of combination members besides `+` (e.g. `;` in `A;B;non-targeting`).
    public var comboSeparator: Character?
    /// var column holding the gene names perturbation targets use (e.g. `symbol` in a file indexed by Ensembl IDs);
    /// nil: the var index.
    public var geneNamesColumn: String?

    /// The default perturbation column (cell-eval's `target_gene`); every command and config uses this one.
    public static let defaultPerturbation = "target_gene"
    /// The default control label (cell-eval's `non-targeting`).
    public static let defaultControl = "non-targeting"

    public init(
        perturbation: String = defaultPerturbation, control: String = defaultControl, cellType: String? = nil,
        batch: String? = nil, dropLabels: [String] = [], comboSeparator: Character? = nil, geneNamesColumn: String? = nil
    ) {
        self.perturbation = perturbation
        self.control = control
        self.cellType = cellType
        self.batch = batch
        self.dropLabels = dropLabels
        self.comboSeparator = comboSeparator
        self.geneNamesColumn = geneNamesColumn
    }

    /// The gene names of `variables`: the var index, or `geneNamesColumn` made unique (`GeneNames`).
    public func geneNames(of variables: DataFrame, path: String) throws -> [String] {
        try geneNamesColumn.map { try GeneNames(variables, column: $0, path: path).names } ?? variables.index
    }

    /// How this dataset's labels are read: its control label and combination separator.
    public var labeling: ConditionLabeling { ConditionLabeling(controlLabel: control, comboSeparator: comboSeparator) }

    /// Refuses blank labels among `canonical` ones (cells with no perturbation assigned), naming how many.
    public func refuseBlankLabels(_ canonical: [String], path: String) throws {
        let blank = canonical.lazy.filter { $0 == ConditionLabeling.blank }.count
        guard blank == 0 else { throw PerturbDataError.blankLabels(path: path, column: perturbation, count: blank) }
    }

    /// The labels of obs column `name` as strings, failing clearly when it is absent or has missing values.
    public func labels(of name: String, in obs: DataFrame, path: String) throws -> [String] {
        guard let column = obs[name] else {
            throw PerturbDataError.missingColumn(path: path, column: name, available: obs.columnNames)
        }
        let values = column.labels()
        let missing = values.reduce(0) { $0 + ($1 == nil ? 1 : 0) }
        guard missing == 0 else { throw PerturbDataError.missingLabels(path: path, column: name, count: missing) }
        return values.map { $0! }
    }

    /// The perturbation labels of `obs` as written and in canonical form (`B+A` → `A+B`, `A+ctrl` → `A`, a blank
    /// label → `ConditionLabeling.blank`), failing clearly when the column is absent or no cell carries the control label after canonicalization.
    public func canonicalLabels(in obs: DataFrame, path: String) throws -> (raw: [String], canonical: [String]) {
        let raw = try labels(of: perturbation, in: obs, path: path)
        let labeling = self.labeling
        let canonical = raw.map { labeling.canonical($0) }
        guard canonical.contains(control) else {
            throw PerturbDataError.controlAbsent(
                path: path, column: perturbation, control: control,
                closest: closestLabels(to: control, among: Array(Set(raw))))
        }
        return (raw, canonical)
    }
}
