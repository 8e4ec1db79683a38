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
    /// What the reconstruction decoders predict, as Tx-Evaluation's reconstruction loader prepares it: counts scaled
    /// to 10⁴ per cell and log1p'd (scanpy's `normalize_total(target_sum=1e4)` + `log1p`), continuous data as given.
    public let decoderExpression: CSRMatrix
    /// Gene names.
    public let genes: [String]
    /// Single-gene perturbations whose target is measured and whose mean over all cells, as stored, is below the
    /// threshold (main_eval.py's unexpressed genes, 0.15: the consistency test's null).
    public let unexpressedTargets: [String]

    /// Cells of `data` (from `path`). Counts are normalized (median library size) and log1p'd; fractional data
    /// are used as they are. Without `columns.batch`, cells are dealt into `folds` folds within each label. A target
    /// is unexpressed when its mean value over all cells, as stored, is below `unexpressedMean`.
    public init(
        _ data: AnnData, columns: DatasetColumns, path: String, folds: Int = 3, seed: UInt64 = 0, unexpressedMean: Double = 0.15
    ) throws {
        guard let X = data.X, X.rows > 0, X.columns > 0 else {
            throw PerturbDataError.emptyMatrix(path: path, field: "X", rows: data.cellCount, columns: data.geneCount)
        }
        let labels = try columns.canonicalLabels(in: data.obs, path: path).canonical
        self.ids = data.obs.index
        self.labels = labels
        self.controlLabel = columns.control
        self.genes = data.variables.index
        let counts = ValueScale.detect(X) == .counts
        self.expression = counts ? Normalization.logNormalize(X) : X
        self.decoderExpression = counts ? Normalization.logNormalize(X, targetSum: 1e4) : X
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
        unexpressedTargets = EmbeddingCells.unexpressed(
            labels: labels, control: columns.control, genes: genes, stored: X, below: unexpressedMean)
    }

    /// Labels that name a gene whose mean over all cells of `stored` is below `threshold` (controls excluded).
    static func unexpressed(labels: [String], control: String, genes: [String], stored: CSRMatrix, below threshold: Double) -> [String] {
        guard stored.rows > 0 else { return [] }
        var sums = [Double](repeating: 0, count: genes.count)
        for k in 0..<stored.values.count { sums[Int(stored.columnIndices[k])] += Double(stored.values[k]) }
        let index = Dictionary(genes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return Array(Set(labels)).sorted().filter { label in
            guard label != control, let g = index[label] else { return false }
            return sums[g] / Double(stored.rows) < threshold
        }
    }

    /// Number of cells.
    public var count: Int { labels.count }
    /// Whether cell `i` is a control.
    public func isControl(_ i: Int) -> Bool { labels[i] == controlLabel }
    /// Distinct batches (or folds), sorted.
    public var batchLevels: [String] { Array(Set(batches)).sorted() }
}
