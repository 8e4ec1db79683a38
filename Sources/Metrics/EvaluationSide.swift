import Foundation
import LinearAlgebra
import PerturbData
import Statistics
import Support

/// The cell-level summaries metrics may need from one side.
public struct SideNeeds: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The DE table against the control.
    public static let de = SideNeeds(rawValue: 1)
    /// Energy distance of every perturbation's cells to the control cells.
    public static let energy = SideNeeds(rawValue: 2)
    /// Top genes by |t| against the real control cells (PerturBench's DEG ranking).
    public static let degRanking = SideNeeds(rawValue: 4)
    /// Cells projected on the top principal axes of all real cells.
    public static let pca = SideNeeds(rawValue: 8)
    /// Per perturbation and gene: the fraction of zeros and the variance of the cells (calibration).
    public static let moments = SideNeeds(rawValue: 16)
    /// The cells themselves, kept for metrics that compare cells across sides (gene-space energy).
    public static let cells = SideNeeds(rawValue: 32)
    /// Per label: the mean of expm1 of the values (normalized counts; the VCC's fold changes).
    public static let countMeans = SideNeeds(rawValue: 64)
    /// Per perturbation: the split-half correlation of the real deltas (the noise ceiling).
    public static let splitHalf = SideNeeds(rawValue: 128)
    /// Per perturbation: the float64 mean of its cells (cell-eval's centroids for `clustering_agreement`).
    public static let centroids = SideNeeds(rawValue: 256)

    /// What `metrics` need, as their registrations declare.
    public static func of(_ metrics: [String]) -> SideNeeds {
        metrics.reduce(into: SideNeeds()) { needs, name in needs.formUnion(MetricRegistry.metric(name)?.needs ?? []) }
    }
}

/// Per-gene mean, unbiased variance (ddof 1) and cell count of one group of cells.
public struct GroupMoments: Sendable {
    public let mean: [Double]
    public let variance: [Double]
    public let count: Int

    /// The moments of rows `cells` of `x`.
    public init(_ x: CSRMatrix, cells: [Int]) {
        let m = x.columnMeanAndVariance(rows: cells)
        mean = m.mean
        variance = m.variance
        count = cells.count
    }
}

/// Everything the metrics read from one file (or one cell type of it), computed while its matrix is in memory so
/// the matrix can be released before the other side is read: pseudobulks, and on request the DE table, the
/// energy distances to the control, the top-|t| genes against the real controls and the principal-axis
/// projections.
public struct EvaluationSide: Sendable {
    /// Where the data came from (for messages).
    public let path: String
    /// Gene names.
    public let genes: [String]
    /// The control label.
    public let controlLabel: String
    /// Expression pseudobulks (every label, the control included).
    public let bulk: Pseudobulk
    /// Embedding pseudobulks (with `--embed-key`).
    public let embeddingBulk: Pseudobulk?
    /// DE of every perturbation against the control.
    public let de: DETable?
    /// Energy distance (float32, as cell-eval) of each perturbation's cells to the control cells.
    public let energyToControl: [String: Float]?
    /// Genes ranked by |t| against the real control cells, top `degTop`, per perturbation.
    public let topGenes: [String: [Int]]?
    /// The moments of this side's control cells (with `.degRanking`): the real side's are the reference of both
    /// sides' t statistics.
    public let controlMoments: GroupMoments?

    /// Zero fractions and variances of each perturbation's cells, per gene (with `.moments`).
    public let cellMoments: [String: CellMoments]?
    /// This side's cells (with `.cells`).
    public let data: PerturbationDataset?
    /// Mean normalized counts (expm1 of the values) per label, the control included (with `.countMeans`).
    public let countMeans: [String: [Double]]?
    /// Split-half Pearson correlation of each perturbation's delta (with `.splitHalf`).
    public let splitHalfCorrelation: [String: Double]?
    /// Float64 mean expression of each perturbation, the control excluded (with `.centroids`).
    public let centroids: [String: [Double]]?

    /// The principal axes the projections use (fitted on this side's cells unless given).
    public let pca: PCA?
    /// Each perturbation's cells on `pca`'s axes.
    public let projections: [String: Matrix<Double>]?

    /// Number of top-|t| genes kept (PerturBench's `top_k_recall` uses 50).
    public static let degTop = 50
    /// Principal axes for `mmd_pca` (PerturBench: the first 100 components of `sc.tl.pca` of the real cells).
    public static let pcaComponents = 100
    /// Above this many genes the axes are fitted by randomized PCA instead of the exact eigendecomposition.
    public static let exactPCAGenes = 5000

    /// Summarizes `data`. `pca` gives the axes to project on (the real side's, for predictions); without it the
    /// axes are fitted on all of `data`'s cells. `referenceControl` gives the control cells the t statistics
    /// compare with (the real side's, for predictions); without it this side's own.
    public init(
        _ data: PerturbationDataset, path: String, embedding: Matrix<Double>? = nil, needs: SideNeeds,
        deOptions: DEOptions = DEOptions(), pca given: PCA? = nil, referenceControl: GroupMoments? = nil
    ) {
        self.path = path
        genes = data.genes
        controlLabel = data.controlLabel
        bulk = Pseudobulk(data)
        embeddingBulk = embedding.map { Pseudobulk(embedding: $0, data: data) }
        de = needs.contains(.de) ? DifferentialExpression.run(data, options: deOptions) : nil
        energyToControl = needs.contains(.energy) ? EvaluationSide.energies(data, threads: deOptions.threads) : nil
        cellMoments = needs.contains(.moments) ? CellMoments.of(data, threads: deOptions.threads) : nil
        self.data = needs.contains(.cells) ? data : nil
        countMeans = needs.contains(.countMeans) ? EvaluationSide.countMeans(data) : nil
        splitHalfCorrelation = needs.contains(.splitHalf) ? NoiseCeiling.splitHalfCorrelations(data) : nil
        centroids =
            needs.contains(.centroids)
            ? Dictionary(
                uniqueKeysWithValues: data.perturbationLabels.map {
                    ($0, data.expression.columnMeans(rows: data.groups.cellsByPerturbation[$0] ?? []))
                }) : nil
        if needs.contains(.degRanking) {
            let own = GroupMoments(data.expression, cells: data.controlCells)
            controlMoments = own
            topGenes = EvaluationSide.tRanking(data, reference: referenceControl ?? own)
        } else {
            controlMoments = nil
            topGenes = nil
        }
        if needs.contains(.pca) {
            let all = Array(0..<data.cellCount), count = EvaluationSide.pcaComponents
            let axes =
                given
                ?? (data.geneCount <= EvaluationSide.exactPCAGenes
                    ? PCA.fitExact(data.expression, rows: all, components: count)
                    : PCA.fit(data.expression, rows: all, components: count, seed: 0))
            pca = axes
            let labels = data.perturbationLabels
            let projected = parallelMap(labels.count, threads: deOptions.threads) { i in
                axes.transform(data.expression, rows: data.groups.cellsByPerturbation[labels[i]] ?? [])
            }
            projections = Dictionary(uniqueKeysWithValues: zip(labels, projected))
        } else {
            pca = nil
            projections = nil
        }
    }

    /// Labels other than the control, sorted.
    public var perturbations: [String] { bulk.labels.filter { $0 != controlLabel } }

    private static func energies(_ data: PerturbationDataset, threads: Int) -> [String: Float] {
        // The perturbations run in parallel; each BLAS product stays on its worker's thread.
        BLASThreads.singleThreaded {
            let distances = CellDistances()
            let control = data.controlCells, x = data.expression
            let within = distances.float32MeanDistance(x, rows: control, x, rows: control, within: true)
            let labels = data.perturbationLabels
            let values = parallelMap(labels.count, threads: threads) { i in
                distances.float32EnergyDistance(
                    x, rows: data.groups.cellsByPerturbation[labels[i]]!, x, rows: control,
                    withinY: within)
            }
            return Dictionary(uniqueKeysWithValues: zip(labels, values))
        }
    }

    private static func countMeans(_ data: PerturbationDataset) -> [String: [Double]] {
        var normalized = data.expression
        for k in normalized.values.indices { normalized.values[k] = Float(expm1(Double(normalized.values[k]))) }
        var out: [String: [Double]] = [:]
        for (label, cells) in data.groups.cellsByPerturbation { out[label] = normalized.columnMeans(rows: cells) }
        return out
    }

    /// PerturBench's DEG ranking: scanpy's `rank_genes_groups(method="t-test_overestim_var")` of each
    /// perturbation against `reference` — Welch's t with the reference variance divided by the group's size
    /// instead of its own, NaN and ±inf set to 0 — genes ordered by |t| (ties by gene order), top `degTop`.
    static func tRanking(_ data: PerturbationDataset, reference: GroupMoments) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for label in data.perturbationLabels {
            let cells = data.groups.cellsByPerturbation[label] ?? []
            let g = GroupMoments(data.expression, cells: cells)
            let t = (0..<data.geneCount).map { j -> Double in
                let value = welchT(
                    mean1: g.mean[j], variance1: g.variance[j], count1: cells.count,
                    mean2: reference.mean[j], variance2: reference.variance[j], count2: cells.count)
                return value.isFinite ? abs(value) : 0
            }
            out[label] = Array(t.indices.sorted { t[$0] > t[$1] || (t[$0] == t[$1] && $0 < $1) }.prefix(degTop))
        }
        return out
    }
}
