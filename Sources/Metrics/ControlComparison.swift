import LinearAlgebra
import PerturbData

/// Which control cells the predicted side is evaluated against: its own (as cell-eval 0.8.2, the default) or the
/// real file's (`perturb eval --controls real`), which takes the prediction's control cells out of PDS and every
/// DE-based metric.
public enum ControlSource: String, Sendable, CaseIterable {
    case pred
    case real
}

/// A file's control cells, reduced to what comparing two files' controls needs: each cell's id with a hash of its
/// row (column indices and value bits, FNV-1a) and the mean control profile.
public struct ControlFingerprint: Sendable {
    public let rows: [String: UInt64]
    public let mean: [Double]

    public init(_ data: PerturbationDataset) {
        let cells = data.controlCells
        var rows: [String: UInt64] = [:]
        rows.reserveCapacity(cells.count)
        let x = data.expression
        for cell in cells {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for k in x.range(ofRow: cell) {
                hash = (hash ^ UInt64(UInt32(bitPattern: x.columnIndices[k]))) &* 0x0000_0100_0000_01b3
                hash = (hash ^ UInt64(x.values[k].bitPattern)) &* 0x0000_0100_0000_01b3
            }
            rows[data.cellIDs[cell]] = hash
        }
        self.rows = rows
        mean = x.columnMeans(rows: cells)
    }
}

/// How the predicted file's control cells differ from the real file's. cell-eval 0.8.2 computes each side's DE and
/// PDS against that side's own controls, so a prediction whose controls differ changes those metrics without a
/// word; `perturb eval` says by how much.
public struct ControlComparison: Sendable, Equatable {
    public let realCells: Int
    public let predCells: Int
    /// Cells (by id) in both files whose rows differ, in the real file only, in the predicted file only.
    public let changed: Int
    public let onlyReal: Int
    public let onlyPred: Int
    /// Mean and largest |difference| of the two mean control profiles over genes, and the gene of the largest.
    public let meanAbsoluteDifference: Double
    public let largestDifference: Double
    public let largestGene: String

    public init(real: ControlFingerprint, pred: ControlFingerprint, genes: [String]) {
        realCells = real.rows.count
        predCells = pred.rows.count
        changed = real.rows.reduce(0) { count, row in count + (pred.rows[row.key].map { $0 != row.value } == true ? 1 : 0) }
        onlyReal = real.rows.keys.reduce(0) { $0 + (pred.rows[$1] == nil ? 1 : 0) }
        onlyPred = pred.rows.keys.reduce(0) { $0 + (real.rows[$1] == nil ? 1 : 0) }
        let differences = zip(real.mean, pred.mean).map { abs($0 - $1) }
        meanAbsoluteDifference = differences.isEmpty ? 0 : differences.reduce(0, +) / Double(differences.count)
        let largest = differences.indices.max { differences[$0] < differences[$1] }
        largestDifference = largest.map { differences[$0] } ?? 0
        largestGene = largest.map { genes[$0] } ?? ""
    }

    /// Whether both files hold the same control cells with the same values.
    public var identical: Bool { changed == 0 && onlyReal == 0 && onlyPred == 0 }

    /// One line for the evaluation's log.
    public func line(using source: ControlSource) -> String {
        if identical { return "controls: the predicted file's \(predCells) control cells are the real file's" }
        let how =
            "controls differ: \(predCells) predicted vs \(realCells) real control cells; \(changed) shared cells changed, "
            + "\(onlyReal) only in the real file, \(onlyPred) only in the predicted file; mean control profiles differ by "
            + String(format: "%.4g", meanAbsoluteDifference) + " per gene on average, at most "
            + String(format: "%.4g", largestDifference) + " (\(largestGene))"
        return how
            + (source == .pred
                ? "; DE and PDS of the prediction use its own controls, as cell-eval's (--controls real uses the real ones)"
                : "; the prediction is evaluated against the real controls (--controls real)")
    }
}
