import Foundation

/// One side (real or predicted) of a DE comparison, reduced to what cell-eval's metrics read after its own
/// float32 casts: per perturbation the rows' features, log2 fold changes, FDRs and the significant rows
/// (`fdr < 0.05` in float32) ranked by |log2 fold change| descending, ties in row order.
struct DESide {
    struct Group {
        var features: [Int32]  // shared feature ids
        var lfc: [Float]
        var fdr: [Float]
        var significantRanked: [Int]  // row indices
        var significantFeatures: [Int32] { significantRanked.map { features[$0] } }
    }
    var groups: [String: Group]
}

/// Real and predicted DE tables for the same perturbations, in a shared feature space.
public struct DEComparison {
    /// Perturbations, sorted.
    public let perturbations: [String]
    /// Number of distinct features over both tables.
    let featureCount: Int
    let real: DESide
    let pred: DESide

    /// Pairs two tables; their perturbation sets must be equal.
    public init(real: DETable, pred: DETable, realName: String = "real DE", predName: String = "pred DE") throws {
        let realPerts = Set(real.groups.map(\.target)), predPerts = Set(pred.groups.map(\.target))
        guard realPerts == predPerts else {
            throw EvaluationError.perturbationMismatch(
                real: realName, pred: predName,
                onlyReal: realPerts.subtracting(predPerts).sorted(),
                onlyPred: predPerts.subtracting(realPerts).sorted())
        }
        perturbations = realPerts.sorted()
        var ids: [String: Int32] = [:]
        func map(_ table: DETable) -> [Int32] {
            table.features.map { name in
                if let id = ids[name] { return id }
                let id = Int32(ids.count); ids[name] = id; return id
            }
        }
        let realIDs = map(real), predIDs = real.features == pred.features ? realIDs : map(pred)
        featureCount = ids.count
        self.real = DEComparison.side(real, ids: realIDs)
        self.pred = DEComparison.side(pred, ids: predIDs)
    }

    private static func side(_ table: DETable, ids: [Int32]) -> DESide {
        var groups: [String: DESide.Group] = [:]
        for g in table.groups {
            let lfc = g.log2FoldChange.map { Float($0) }
            let fdr = g.fdr.map { Float($0) }
            let magnitude = lfc.map { abs($0) }
            let significant = fdr.indices.filter { fdr[$0] < Float(0.05) }
            // Ordinal rank, descending: larger first, ties keep row order.
            let ranked = significant.enumerated().sorted { a, b in
                let x = magnitude[a.element], y = magnitude[b.element]
                if x != y { return descendingBefore(x, y) }
                return a.offset < b.offset
            }.map(\.element)
            groups[g.target] = DESide.Group(
                features: g.features.map { ids[Int($0)] }, lfc: lfc, fdr: fdr,
                significantRanked: ranked)
        }
        return DESide(groups: groups)
    }
}

/// Descending order with NaN first (polars sorts NaN as the largest value).
@inline(__always)
func descendingBefore(_ x: Float, _ y: Float) -> Bool {
    if x.isNaN { return !y.isNaN }
    if y.isNaN { return false }
    return x > y
}
