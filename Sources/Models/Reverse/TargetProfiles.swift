import LinearAlgebra
import PerturbData
import Support

/// Expression changes with known causes, as reverse models see them: one row per profile (a condition's
/// pseudobulk delta, or one cell's delta), restricted to the unmasked genes, each with its condition and its
/// true target genes.
public struct TargetProfiles: Sendable {
    /// Every gene of the data.
    public let genes: [String]
    /// Indices (into `genes`) of the genes the profiles keep: all but the masked ones.
    public let featureGenes: [Int]
    /// Profiles × feature genes: mean log expression minus the mean of the context's control cells.
    public var values: Matrix<Double>
    /// The condition of each profile.
    public var conditions: [Condition]
    /// The true target genes of each profile (members of its perturbation label).
    public var targets: [[String]]
    /// The number of cells behind each profile.
    public var cellCounts: [Int]

    /// Number of profiles.
    public var count: Int { conditions.count }

    /// One pseudobulk profile per perturbed condition of `data` (log1p), without the `mask` genes.
    public static func pseudobulk(_ data: PerturbationDataset, mask: Set<String>) throws -> TargetProfiles {
        let summary = try ConditionDeltas(data)
        let keep = data.genes.indices.filter { !mask.contains(data.genes[$0]) }
        return TargetProfiles(
            genes: data.genes, featureGenes: keep, values: summary.deltas.selectingColumns(keep),
            conditions: summary.conditions,
            targets: summary.conditions.map { ConditionDeltas.members(of: $0.perturbation) },
            cellCounts: summary.cellCounts)
    }

    /// One profile per cell (at most `perCondition` cells of each perturbed condition, drawn by `seed`): the
    /// cell's log expression minus its context's control mean, without the `mask` genes.
    public static func cells(_ data: PerturbationDataset, mask: Set<String>, perCondition: Int, seed: UInt64) throws -> TargetProfiles {
        let data = data.normalizedLog1p()
        let summary = try ConditionDeltas(data)
        let keep = data.genes.indices.filter { !mask.contains(data.genes[$0]) }
        var rng = SeededRandom(seed: seed, stream: 0x5e1)
        var chosen: [(cell: Int, condition: Condition)] = []
        for condition in summary.conditions {
            let cells = data.groups.cellsByCondition[condition]!
            let picked = cells.count <= perCondition ? cells : rng.permutation(cells.count).prefix(perCondition).sorted().map { cells[$0] }
            chosen += picked.map { ($0, condition) }
        }
        let f = keep.count
        var values = Matrix<Double>(rows: chosen.count, columns: f)
        for (i, item) in chosen.enumerated() {
            let control = summary.controlMean(for: CellContext(item.condition))
            let row = data.expression.denseRow(item.cell)
            for (j, gene) in keep.enumerated() { values.storage[i * f + j] = Double(row[gene]) - control[gene] }
        }
        return TargetProfiles(
            genes: data.genes, featureGenes: keep, values: values, conditions: chosen.map(\.condition),
            targets: chosen.map { ConditionDeltas.members(of: $0.condition.perturbation) },
            cellCounts: chosen.map { _ in 1 })
    }

    /// The genes each profile keeps, by name.
    public var featureGeneNames: [String] { featureGenes.map { genes[$0] } }
}
