import LinearAlgebra
import PerturbData
import Support

/// Per-gene zero fraction and variance of one perturbation's cells: what says whether predicted cells look like
/// cells (a mean shifted onto every control cell keeps the controls' zeros and spread whatever the truth).
public struct CellMoments: Sendable {
    /// Fraction of cells with a zero value, per gene.
    public let zeroFraction: [Double]
    /// Unbiased variance (ddof 1) per gene.
    public let variance: [Double]

    /// The moments of every perturbation of `data` (the control excluded).
    static func of(_ data: PerturbationDataset, threads: Int) -> [String: CellMoments] {
        let labels = data.perturbationLabels
        let moments = parallelMap(labels.count, threads: threads) { i -> CellMoments in
            let cells = data.groups.cellsByPerturbation[labels[i]] ?? []
            var nonzero = [Int](repeating: 0, count: data.geneCount)
            for cell in cells {
                for p in data.expression.range(ofRow: cell) where data.expression.values[p] != 0 {
                    nonzero[Int(data.expression.columnIndices[p])] += 1
                }
            }
            let n = Double(max(cells.count, 1))
            return CellMoments(
                zeroFraction: nonzero.map { 1 - Double($0) / n },
                variance: data.expression.columnMeanAndVariance(rows: cells).variance)
        }
        return Dictionary(uniqueKeysWithValues: zip(labels, moments))
    }
}
