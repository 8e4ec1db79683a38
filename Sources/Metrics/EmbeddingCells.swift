import AnnData
import Foundation
import LinearAlgebra
import PerturbData
import Support

/// The cells an embedding is evaluated on: perturbation labels, the batch of each cell (or, without a batch
/// column, seeded label-stratified folds that play the batches' part), and the log-scale expression the
/// reconstruction task decodes.
public struct EmbeddingCells: Sendable {
    /// Cell ids.
    public let ids: [String]
    /// Canonical perturbation label of each cell.
    public let labels: [String]
    /// The control label.
    public let controlLabel: String
    /// Batch (or fold) of each cell.
    public let batches: [String]
    /// Whether `batches` are real batches (false: stratified folds).
    public let realBatches: Bool
    /// Expression on a log scale (log1p-normalized counts, or the data as given when already continuous).
    public let expression: CSRMatrix
    /// Gene names.
    public let genes: [String]
    /// Single-gene perturbations whose target is measured and detected in fewer than 1 % of control cells
    /// (the consistency test's preferred null).
    public let unexpressedTargets: [String]

    /// Cells of `data` (from `path`). Counts are normalized (median library size) and log1p'd; fractional data
    /// are used as they are. Without `columns.batch`, cells are dealt into `folds` folds within each label.
    public init(_ data: AnnData, columns: DatasetColumns, path: String, folds: Int = 3, seed: UInt64 = 0) throws {
        guard let X = data.X, X.rows > 0, X.columns > 0 else {
            throw PerturbDataError.emptyMatrix(path: path, field: "X", rows: data.cellCount, columns: data.geneCount)
        }
        let labels = try columns.canonicalLabels(in: data.obs, path: path).canonical
        self.ids = data.obs.index
        self.labels = labels
        self.controlLabel = columns.control
        self.genes = data.variables.index
        self.expression = ValueScale.detect(X) == .counts ? Normalization.logNormalize(X) : X
        if let batch = columns.batch {
            batches = try columns.labels(of: batch, in: data.obs, path: path)
            realBatches = true
        } else {
            var assigned = [String](repeating: "", count: labels.count)
            var byLabel: [String: [Int]] = [:]
            for (i, label) in labels.enumerated() { byLabel[label, default: []].append(i) }
            for (index, label) in byLabel.keys.sorted().enumerated() {
                var cells = byLabel[label]!
                var rng = SeededRandom(seed: seed, stream: 700 + UInt64(index))
                rng.shuffle(&cells)
                for (j, cell) in cells.enumerated() { assigned[cell] = "fold\(j % max(folds, 2))" }
            }
            batches = assigned
            realBatches = false
        }
        unexpressedTargets = EmbeddingCells.unexpressed(labels: labels, control: columns.control, genes: genes, expression: expression)
    }

    static func unexpressed(labels: [String], control: String, genes: [String], expression: CSRMatrix) -> [String] {
        let controls = labels.indices.filter { labels[$0] == control }
        guard !controls.isEmpty else { return [] }
        var detected = [Int](repeating: 0, count: genes.count)
        for r in controls {
            for k in expression.range(ofRow: r) where expression.values[k] != 0 { detected[Int(expression.columnIndices[k])] += 1 }
        }
        let index = Dictionary(genes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return Array(Set(labels)).sorted().filter { label in
            guard label != control, let g = index[label] else { return false }
            return Double(detected[g]) < 0.01 * Double(controls.count)
        }
    }

    /// Number of cells.
    public var count: Int { labels.count }
    /// Whether cell `i` is a control.
    public func isControl(_ i: Int) -> Bool { labels[i] == controlLabel }
    /// Distinct batches (or folds), sorted.
    public var batchLevels: [String] { Array(Set(batches)).sorted() }
}
