import Foundation
import LinearAlgebra

/// Integer counts and per-cell size factors behind a dataset's values: what a count-space generator resamples.
///
/// A cell's normalized value is `count × sizeFactor` (log1p of it on the log1p scale). For count data the size
/// factor is `target / total` with the median library size as target, exactly as `normalizedLog1p` scales. For
/// log1p data written by normalize-total + log1p (scanpy, cell-eval, PerturBench) the counts are recovered: the
/// smallest normalized value of a cell is taken as one UMI (or, when no gene of that cell has exactly one UMI, as
/// 2, 3, … UMIs — the first divisor for which every value of the cell is an integer to within `tolerance`). A cell
/// whose counts share a common factor is recovered with that factor divided out: its values are reproduced
/// exactly, its counts are coarser (with hundreds of genes per cell this is rare).
public struct RecoveredCounts: Sendable {
    /// Counts of the chosen cells (in the order given × genes), integers stored as floats.
    public let counts: CSRMatrix
    /// Normalized units per count, one per chosen cell (0 for a cell without counts).
    public let sizeFactors: [Double]

    /// Largest divisor tried for a cell's smallest value.
    public static let maxDivisor = 100
    /// Largest distance from an integer accepted for a recovered count.
    public static let tolerance = 0.02

    /// Counts and size factors as given.
    public init(counts: CSRMatrix, sizeFactors: [Double]) {
        self.counts = counts
        self.sizeFactors = sizeFactors
    }

    /// Counts of the cells `rows` of `data`; `path` names the data in errors. For count data the median library
    /// size is that of all of `data`'s cells, as `normalizedLog1p` uses. Throws when log1p values are not
    /// normalized counts (no divisor makes a cell's values integers), naming the first such cell.
    public init(_ data: PerturbationDataset, rows: [Int], path: String) throws {
        let x = data.expression.selectingRows(rows)
        var factors = [Double](repeating: 0, count: x.rows)
        var counts = x
        if data.scale == .counts {
            let target = Normalization.medianLibrarySize(data.expression)
            let totals = x.rowSums()
            for r in 0..<x.rows where totals[r] > 0 { factors[r] = target / Double(Float(totals[r])) }
        } else {
            for r in 0..<x.rows {
                let range = x.range(ofRow: r)
                guard !range.isEmpty else { continue }
                let normalized = range.map { expm1(Double(x.values[$0])) }
                let smallest = normalized.min()!
                guard
                    let divisor = (1...Self.maxDivisor).first(where: { d in
                        let unit = smallest / Double(d)
                        return normalized.allSatisfy { abs($0 / unit - ($0 / unit).rounded()) <= Self.tolerance }
                    })
                else {
                    throw PerturbDataError.invalidValues(
                        path: path, field: "X",
                        reason: "cell '\(data.cellIDs[rows[r]])' is not log1p of normalized counts (no unit of 1–\(Self.maxDivisor) "
                            + "counts makes its values integers), so counts cannot be recovered to resample cells; "
                            + "give count data or predict with --cells shift")
                }
                let unit = smallest / Double(divisor)
                factors[r] = unit
                for (k, p) in range.enumerated() { counts.values[p] = Float((normalized[k] / unit).rounded()) }
            }
        }
        self.counts = counts
        sizeFactors = factors
    }
}
