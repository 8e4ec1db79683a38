/// One experimental condition: a (canonical) perturbation in a cell type and batch.
public struct Condition: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// Canonical perturbation label (`A+B` for combinations, the control label for controls).
    public var perturbation: String
    /// Cell type, when the dataset has a cell-type column.
    public var cellType: String?
    /// Batch, when the dataset has a batch column.
    public var batch: String?

    public init(perturbation: String, cellType: String? = nil, batch: String? = nil) {
        self.perturbation = perturbation
        self.cellType = cellType
        self.batch = batch
    }

    public var description: String {
        [perturbation, cellType, batch].compactMap { $0 }.joined(separator: " | ")
    }

    public static func < (a: Condition, b: Condition) -> Bool {
        (a.perturbation, a.cellType ?? "", a.batch ?? "") < (b.perturbation, b.cellType ?? "", b.batch ?? "")
    }
}

/// Which cells belong to each perturbation and each condition.
public struct GroupIndex: Sendable {
    /// Distinct canonical perturbation labels, sorted (the control label included when present).
    public let perturbations: [String]
    /// Cells of each perturbation label, ascending.
    public let cellsByPerturbation: [String: [Int]]
    /// Distinct conditions, sorted.
    public let conditions: [Condition]
    /// Cells of each condition, ascending.
    public let cellsByCondition: [Condition: [Int]]

    /// Builds the index from per-cell labels.
    public init(perturbations labels: [String], cellTypes: [String]?, batches: [String]?) {
        var byPerturbation: [String: [Int]] = [:]
        var byCondition: [Condition: [Int]] = [:]
        for (cell, label) in labels.enumerated() {
            byPerturbation[label, default: []].append(cell)
            let condition = Condition(perturbation: label, cellType: cellTypes?[cell], batch: batches?[cell])
            byCondition[condition, default: []].append(cell)
        }
        self.perturbations = byPerturbation.keys.sorted()
        self.cellsByPerturbation = byPerturbation
        self.conditions = byCondition.keys.sorted()
        self.cellsByCondition = byCondition
    }
}
