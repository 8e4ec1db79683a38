import LinearAlgebra
import PerturbData
import Support

/// The training data as every baseline sees it: the mean log expression of each perturbed condition minus the
/// mean of the control cells of its context (same cell type and batch; else the same cell type; else all).
public struct ConditionDeltas: Sendable {
    /// Gene names.
    public let genes: [String]
    /// The control label.
    public let controlLabel: String
    /// Perturbed conditions, sorted.
    public let conditions: [Condition]
    /// Cells of each condition.
    public let cellCounts: [Int]
    /// Condition mean minus matched control mean (conditions × genes).
    public let deltas: Matrix<Double>
    /// Mean control profile per context, for every context and fallback that has control cells.
    public let controlMeans: [CellContext: [Double]]

    /// Summarizes `data` (log1p scale; counts are normalized first).
    public init(_ data: PerturbationDataset) throws {
        let data = data.normalizedLog1p()
        guard !data.controlCells.isEmpty else {
            throw ModelError.unusableTrainingData(model: "any", reason: "no control cells ('\(data.controlLabel)') in the training data")
        }
        genes = data.genes
        controlLabel = data.controlLabel
        let controlsByContext = CellContext.controlCells(of: data)
        var means: [CellContext: [Double]] = [:]
        for (context, cells) in controlsByContext { means[context] = data.expression.columnMeans(rows: cells) }
        controlMeans = means
        let perturbed = data.groups.conditions.filter { $0.perturbation != data.controlLabel }
        guard !perturbed.isEmpty else {
            throw ModelError.unusableTrainingData(model: "any", reason: "no perturbed cells in the training data")
        }
        conditions = perturbed
        cellCounts = perturbed.map { data.groups.cellsByCondition[$0]!.count }
        let g = data.geneCount
        var storage = [Double](repeating: 0, count: perturbed.count * g)
        let rows = parallelMap(perturbed.count) { i -> [Double] in
            data.expression.columnMeans(rows: data.groups.cellsByCondition[perturbed[i]]!)
        }
        for (i, condition) in perturbed.enumerated() {
            let control = ConditionDeltas.lookup(means, CellContext(condition))!
            for j in 0..<g { storage[i * g + j] = rows[i][j] - control[j] }
        }
        deltas = Matrix(rows: perturbed.count, columns: g, storage: storage)
    }

    /// The control mean of the closest context that has controls.
    public func controlMean(for context: CellContext) -> [Double] { ConditionDeltas.lookup(controlMeans, context)! }

    static func lookup<V>(_ table: [CellContext: V], _ context: CellContext) -> V? {
        for c in context.fallbacks { if let v = table[c] { return v } }
        return table[CellContext()] ?? table.sorted { $0.key < $1.key }.first?.value
    }

    /// One delta per perturbation label: the cell-weighted mean over its conditions (all contexts pooled).
    public func pooledByPerturbation() -> (labels: [String], deltas: Matrix<Double>, cells: [Int]) {
        var order: [String] = [], rowsOf: [String: [Int]] = [:]
        for (i, c) in conditions.enumerated() {
            if rowsOf[c.perturbation] == nil { order.append(c.perturbation) }
            rowsOf[c.perturbation, default: []].append(i)
        }
        let g = genes.count
        var storage = [Double](repeating: 0, count: order.count * g)
        var cells: [Int] = []
        for (p, label) in order.enumerated() {
            let rows = rowsOf[label]!
            let total = rows.reduce(0) { $0 + cellCounts[$1] }
            for r in rows {
                let w = Double(cellCounts[r]) / Double(total)
                for j in 0..<g { storage[p * g + j] += w * deltas[r, j] }
            }
            cells.append(total)
        }
        return (order, Matrix(rows: order.count, columns: g, storage: storage), cells)
    }

    /// The members of a perturbation label (`A+B` → `[A, B]`).
    public static func members(of label: String) -> [String] {
        label.split(separator: "+").map(String.init)
    }
}
