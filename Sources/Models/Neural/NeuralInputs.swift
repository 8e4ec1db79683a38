import LinearAlgebra
import Neural
import PerturbData
import Support

/// How a neural model sees its inputs, fixed at training time and saved with it: the vocabularies of
/// perturbation members, condition labels, cell types and batches; the mean control profile of each context;
/// and a seeded sample of control cells per context from which predictions start.
public struct NeuralInputs: Sendable {
    public let geneCount: Int
    /// Single perturbation members seen in training (`A+B` contributes A and B), sorted.
    public let members: [String]
    /// Training condition labels including the control (classes for an adversary), sorted.
    public let labels: [String]
    public let cellTypes: [String]
    public let batches: [String]
    /// Mean control profile per context (and fallback).
    public let controlMeans: [CellContext: [Double]]
    /// Sampled control cells per context (rows × genes, log scale).
    public let references: [CellContext: Matrix<Float>]
    let labeling: ConditionLabeling
    /// Mean expression of every training cell (initial output bias of decoders); empty when loaded from disk.
    public let geneMeans: [Float]

    /// Vocabularies and references from the training data.
    init(_ train: PerturbationDataset, referenceCells: Int, seed: UInt64) throws {
        let summary = try ConditionDeltas(train)
        geneCount = train.geneCount
        labeling = train.labeling
        members = Array(Set(train.perturbationLabels.flatMap { train.labeling.members(of: $0) })).sorted()
        labels = train.groups.perturbations.sorted()
        cellTypes = Array(Set(train.cellTypes ?? [])).sorted()
        batches = Array(Set(train.batches ?? [])).sorted()
        controlMeans = summary.controlMeans
        var rng = SeededRandom(seed: seed ^ 0x5EED_CE11)
        var refs: [CellContext: Matrix<Float>] = [:]
        for (context, cells) in CellContext.controlCells(of: train).sorted(by: { $0.key < $1.key }) {
            var pool = cells
            pool.shuffle(using: &rng)
            refs[context] = train.expression.selectingRows(Array(pool.prefix(referenceCells))).toDense()
        }
        references = refs
        geneMeans = train.expression.columnMeans(rows: Array(0..<train.cellCount)).map { Float($0) }
    }

    /// Rebuilt from a saved state.
    init(state: ModelState, model: String) throws {
        geneCount = try state.count("input.gene_count", model: model)
        members = try state.list("input.members", model: model)
        labels = try state.list("input.labels", model: model)
        cellTypes = try state.list("input.cell_types", model: model)
        batches = try state.list("input.batches", model: model)
        var means: [CellContext: [Double]] = [:], refs: [CellContext: Matrix<Float>] = [:]
        for key in try state.list("input.contexts", model: model) {
            let context = CellContext(key: key)
            means[context] = try state.vector("input.control_mean." + key, model: model)
            let m = try state.matrix("input.reference." + key, model: model)
            guard means[context]?.count == geneCount, m.columns == geneCount, m.rows > 0 else {
                throw ModelError.invalidModelDirectory(
                    path: "model \(model)", field: "input.reference." + key,
                    reason: "control mean and reference cells must have \(geneCount) genes (input.gene_count)")
            }
            refs[context] = Matrix(rows: m.rows, columns: m.columns, storage: m.storage.map { Float($0) })
        }
        controlMeans = means
        references = refs
        geneMeans = []
        labeling = ConditionLabeling(controlLabel: try state.list("input.control", model: model).first ?? "control")
    }

    /// Saves everything `init(state:)` reads.
    func save(into s: inout ModelState) {
        s.set("input.gene_count", vector: [Double(geneCount)])
        s.lists["input.control"] = [labeling.controlLabel]
        s.lists["input.members"] = members
        s.lists["input.labels"] = labels
        s.lists["input.cell_types"] = cellTypes
        s.lists["input.batches"] = batches
        let contexts = references.keys.sorted()
        s.lists["input.contexts"] = contexts.map { $0.key }
        for c in contexts {
            s.set("input.control_mean." + c.key, vector: controlMeans[c] ?? ConditionDeltas.lookup(controlMeans, c)!)
            let m = references[c]!
            s.set("input.reference." + c.key, matrix: Matrix(rows: m.rows, columns: m.columns, storage: m.storage.map { Double($0) }))
        }
    }

    /// Width of the perturbation encoding and of the covariate encoding.
    public var perturbationWidth: Int { members.count }
    public var covariateWidth: Int { cellTypes.count + batches.count }

    /// Multi-hot over the training members (unseen members contribute nothing; the control is all zeros).
    func perturbation(_ label: String) -> [Float] {
        var v = [Float](repeating: 0, count: members.count)
        guard label != labeling.controlLabel else { return v }
        for m in labeling.members(of: label) {
            if let i = members.binarySearchIndex(of: m) { v[i] = 1 }
        }
        return v
    }

    /// One-hot cell type followed by one-hot batch (unknown levels: zeros).
    func covariates(_ context: CellContext) -> [Float] {
        var v = [Float](repeating: 0, count: covariateWidth)
        if let t = context.cellType, let i = cellTypes.binarySearchIndex(of: t) { v[i] = 1 }
        if let b = context.batch, let i = batches.binarySearchIndex(of: b) { v[cellTypes.count + i] = 1 }
        return v
    }

    /// The reference control cells and control mean for `context` (closest context that has controls).
    func reference(_ context: CellContext) -> (cells: Matrix<Float>, mean: [Double]) {
        (ConditionDeltas.lookup(references, context)!, ConditionDeltas.lookup(controlMeans, context)!)
    }
}

extension Array where Element == String {
    /// Index of `value` in this sorted array.
    func binarySearchIndex(of value: String) -> Int? {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && self[lo] == value ? lo : nil
    }
}
