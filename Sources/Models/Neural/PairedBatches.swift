import LinearAlgebra
import Neural
import PerturbData
import Support

/// One mini-batch: each training cell with a control cell drawn from its own context, and their encodings.
public struct TrainingBatch {
    /// Matched control cells (n × genes).
    public let control: Tensor
    /// The cells to predict (n × genes).
    public let target: Tensor
    /// Multi-hot perturbation members (n × members; all zeros for control cells).
    public let perturbation: Tensor
    /// One-hot cell type and batch (n × covariate width).
    public let covariates: Tensor
    /// Index of each cell's condition label in `NeuralInputs.labels` (n, int64).
    public let labelClass: Tensor
    /// Index of each cell's cell type and batch (n, int64), for every covariate with more than one level.
    public let covariateClasses: [(levels: Int, classes: Tensor)]
    public let count: Int
}

/// Mini-batches from a `PerturbationDataset`: every training cell (control cells included when asked) paired
/// with a control cell of the same cell type and batch (else cell type, else any), reshuffled and re-paired each
/// epoch from a seed, so the same seed gives the same batches.
struct PairedBatches {
    private let data: PerturbationDataset
    private let inputs: NeuralInputs
    private let cells: [Int]
    private let controlsByContext: [CellContext: [Int]]
    private let batchSize: Int
    private let seed: UInt64

    init(_ data: PerturbationDataset, inputs: NeuralInputs, includeControls: Bool, batchSize: Int, seed: UInt64) {
        self.data = data
        self.inputs = inputs
        let control = data.controlLabel
        cells = (0..<data.cellCount).filter { includeControls || data.perturbations[$0] != control }
        controlsByContext = CellContext.controlCells(of: data)
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Number of training cells per epoch.
    var cellCount: Int { cells.count }

    /// The epoch's batches, in order.
    func epoch(_ epoch: Int) -> [[Int]] {
        var rng = SeededRandom(seed: seed, stream: UInt64(epoch) &+ 1)
        var order = cells
        order.shuffle(using: &rng)
        return stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, order.count)]) }
    }

    /// Tensors for the cells of one batch; controls are drawn with a generator seeded by epoch and batch index.
    func batch(_ members: [Int], epoch: Int, index: Int) throws -> TrainingBatch {
        var rng = SeededRandom(seed: seed ^ 0xC0_17_20_15, stream: UInt64(epoch) << 20 | UInt64(index))
        let controls = members.map { cell -> Int in
            let context = CellContext(cellType: data.cellTypes?[cell], batch: data.batches?[cell])
            let pool = ConditionDeltas.lookup(controlsByContext, context)!
            return pool[Int.random(in: 0..<pool.count, using: &rng)]
        }
        let n = members.count, g = data.geneCount
        var perturbation: [Float] = [], covariates: [Float] = [], labels: [Int] = []
        var types: [Int] = [], batches: [Int] = []
        perturbation.reserveCapacity(n * inputs.perturbationWidth)
        for cell in members {
            let label = data.perturbations[cell]
            perturbation += inputs.perturbation(label)
            let context = CellContext(cellType: data.cellTypes?[cell], batch: data.batches?[cell])
            covariates += inputs.covariates(context)
            labels.append(inputs.labels.binarySearchIndex(of: label) ?? 0)
            types.append(context.cellType.flatMap { inputs.cellTypes.binarySearchIndex(of: $0) } ?? 0)
            batches.append(context.batch.flatMap { inputs.batches.binarySearchIndex(of: $0) } ?? 0)
        }
        var classes: [(Int, Tensor)] = []
        if inputs.cellTypes.count > 1 { classes.append((inputs.cellTypes.count, try .indices(types))) }
        if inputs.batches.count > 1 { classes.append((inputs.batches.count, try .indices(batches))) }
        return TrainingBatch(
            control: try Tensor(data.expression.selectingRows(controls).toDense().storage, shape: [n, g]),
            target: try Tensor(data.expression.selectingRows(members).toDense().storage, shape: [n, g]),
            perturbation: try Tensor(perturbation, shape: [n, inputs.perturbationWidth]),
            covariates: try Tensor(covariates, shape: [n, inputs.covariateWidth]),
            labelClass: try .indices(labels), covariateClasses: classes, count: n)
    }
}
