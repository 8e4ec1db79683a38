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
    /// Top genes by Welch t against the control.
    public static let welch = SideNeeds(rawValue: 4)
    /// Cells projected on the top principal axes of the real cells.
    public static let pca = SideNeeds(rawValue: 8)

    /// What `metrics` need, as their registrations declare.
    public static func of(_ metrics: [String]) -> SideNeeds {
        metrics.reduce(into: SideNeeds()) { needs, name in needs.formUnion(MetricRegistry.metric(name)?.needs ?? []) }
    }
}

/// Everything the metrics read from one file (or one cell type of it), computed while its matrix is in memory so
/// the matrix can be released before the other side is read: pseudobulks, and on request the DE table, the
/// energy distances to the control and the top Welch-t genes.
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
    /// Genes ranked by Welch t against the control, top `welchTop`, per perturbation.
    public let topWelchGenes: [String: [Int]]?

    /// The principal axes the projections use (fitted on this side's cells unless given).
    public let pca: PCA?
    /// Each perturbation's cells on `pca`'s axes.
    public let projections: [String: Matrix<Double>]?

    /// Number of top Welch-t genes kept (PerturBench's DEG recall uses 20).
    public static let welchTop = 20
    /// Principal axes for `mmd_pca` (PerturBench uses 256).
    public static let pcaComponents = 256

    /// Summarizes `data`. `pca` gives the axes to project on (the real side's, for predictions); without it the
    /// axes are fitted on all of `data`'s cells.
    public init(
        _ data: PerturbationDataset, path: String, embedding: Matrix<Double>? = nil, needs: SideNeeds,
        deOptions: DEOptions = DEOptions(), pca given: PCA? = nil
    ) {
        self.path = path
        genes = data.genes
        controlLabel = data.controlLabel
        bulk = Pseudobulk(data)
        embeddingBulk = embedding.map { Pseudobulk(embedding: $0, data: data) }
        de = needs.contains(.de) ? DifferentialExpression.run(data, options: deOptions) : nil
        energyToControl = needs.contains(.energy) ? EvaluationSide.energies(data, threads: deOptions.threads) : nil
        topWelchGenes = needs.contains(.welch) ? EvaluationSide.welchRanking(data) : nil
        if needs.contains(.pca) {
            let axes =
                given
                ?? PCA.fit(
                    data.expression, rows: Array(0..<data.cellCount),
                    components: EvaluationSide.pcaComponents, seed: 0)
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

    private static func welchRanking(_ data: PerturbationDataset) -> [String: [Int]] {
        let controlCells = data.controlCells
        let control = data.expression.columnMeanAndVariance(rows: controlCells)
        var out: [String: [Int]] = [:]
        for label in data.perturbationLabels {
            let cells = data.groups.cellsByPerturbation[label] ?? []
            let g = data.expression.columnMeanAndVariance(rows: cells)
            let t = (0..<data.geneCount).map { j in
                welchT(
                    mean1: g.mean[j], variance1: g.variance[j], count1: cells.count,
                    mean2: control.mean[j], variance2: control.variance[j], count2: controlCells.count)
            }
            out[label] = Array(t.indices.sorted { t[$0] > t[$1] || (t[$0] == t[$1] && $0 < $1) }.prefix(welchTop))
        }
        return out
    }
}
