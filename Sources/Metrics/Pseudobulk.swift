import LinearAlgebra
import PerturbData
import Support

/// Mean expression of every perturbation (and the control) of one dataset, as cell-eval's
/// `PerturbationAnndataPair` builds them (float64 sums, stored as float32 like polars' mean of a float32
/// column), and the deltas from the control mean of the same dataset.
public struct Pseudobulk: Sendable {
    /// Labels, sorted; the control included.
    public let labels: [String]
    /// Mean row per label (labels × features).
    public let means: [[Float]]
    /// Index of the control label in `labels`.
    public let controlIndex: Int

    /// Means of the expression matrix per perturbation label.
    public init(_ data: PerturbationDataset, threads: Int = defaultThreadCount()) {
        let labels = data.groups.perturbations
        self.labels = labels
        controlIndex = labels.firstIndex(of: data.controlLabel)!
        let x = data.expression
        means = parallelMap(labels.count, threads: threads) { i in
            x.columnMeans(rows: data.groups.cellsByPerturbation[labels[i]] ?? []).map(Float.init)
        }
    }

    /// Means of an embedding (obsm) per perturbation label.
    public init(embedding: Matrix<Double>, data: PerturbationDataset) {
        labels = data.groups.perturbations
        controlIndex = labels.firstIndex(of: data.controlLabel)!
        means = labels.map { label in
            let cells = data.groups.cellsByPerturbation[label] ?? []
            var sum = [Double](repeating: 0, count: embedding.columns)
            for cell in cells { for c in 0..<embedding.columns { sum[c] += embedding[cell, c] } }
            return sum.map { Float($0 / Double(max(cells.count, 1))) }
        }
    }

    /// Mean of `label`.
    public func mean(_ label: String) -> [Float] { means[labels.firstIndex(of: label)!] }

    /// Mean of `label` minus the control mean (float32 arithmetic, as numpy on float32 pseudobulks).
    public func delta(_ label: String) -> [Float] {
        let m = mean(label), c = means[controlIndex]
        return zip(m, c).map { $0 - $1 }
    }
}
