import LinearAlgebra
import PerturbData

/// `control-mean`: no change — every perturbation is predicted as its matched control cells.
public struct ControlMeanModel: ForwardModel {
    public static let name = "control-mean"
    public static let summary = "no change: each perturbation predicted as its matched control cells"
    public static let hyperparameterHelp: [String: String] = [:]
    private var geneCount: Int?

    public init(hyperparameters: Hyperparameters) throws {
        try hyperparameters.check(known: Self.hyperparameterHelp, model: Self.name)
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        geneCount = Int(try state.vector("gene_count", model: Self.name).first ?? 0)
    }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        geneCount = train.geneCount
    }

    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let geneCount else { throw ModelError.notFitted(model: Self.name) }
        return [Double](repeating: 0, count: geneCount)
    }

    public func state() throws -> ModelState {
        guard let geneCount else { throw ModelError.notFitted(model: Self.name) }
        var s = ModelState()
        s.set("gene_count", vector: [Double(geneCount)])
        return s
    }
}

/// `perturbation-mean`: one delta for everything — the mean over training perturbations of their deltas
/// (cell-eval's baseline in delta form). It cannot tell perturbations apart, which the rank metrics expose.
public struct PerturbationMeanModel: ForwardModel {
    public static let name = "perturbation-mean"
    public static let summary = "the mean training perturbation delta, the same for every perturbation"
    public static let hyperparameterHelp: [String: String] = [:]
    private var delta: [Double]?

    public init(hyperparameters: Hyperparameters) throws {
        try hyperparameters.check(known: Self.hyperparameterHelp, model: Self.name)
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        delta = try state.vector("delta", model: Self.name)
    }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        let pooled = try ConditionDeltas(train).pooledByPerturbation()
        var table = KeyedDeltas(geneCount: train.geneCount)
        for p in pooled.labels.indices { table.add("all", pooled.deltas.rowSlice(p)) }
        delta = table.averaged()["all"]
    }

    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let delta else { throw ModelError.notFitted(model: Self.name) }
        return delta
    }

    public func state() throws -> ModelState {
        guard let delta else { throw ModelError.notFitted(model: Self.name) }
        var s = ModelState()
        s.set("delta", vector: delta)
        return s
    }
}

/// `context-mean`: the mean delta of the training perturbations measured in the same context (cell type and
/// batch), falling back to the same cell type and then to all training perturbations.
public struct ContextMeanModel: ForwardModel {
    public static let name = "context-mean"
    public static let summary = "mean training delta of the condition's cell type and batch"
    public static let hyperparameterHelp: [String: String] = [:]
    private var table: KeyedDeltas?

    public init(hyperparameters: Hyperparameters) throws {
        try hyperparameters.check(known: Self.hyperparameterHelp, model: Self.name)
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        table = try KeyedDeltas(loading: "context_deltas", from: state, model: Self.name)
    }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        let summary = try ConditionDeltas(train)
        var sums = KeyedDeltas(geneCount: train.geneCount)
        for (i, condition) in summary.conditions.enumerated() {
            for context in CellContext(condition).fallbacks { sums.add(context.key, summary.deltas.rowSlice(i)) }
        }
        table = sums.averaged()
    }

    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let table else { throw ModelError.notFitted(model: Self.name) }
        for context in CellContext(condition).fallbacks { if let d = table[context.key] { return d } }
        return table[CellContext().key]!
    }

    public func state() throws -> ModelState {
        guard let table else { throw ModelError.notFitted(model: Self.name) }
        var s = ModelState()
        table.save("context_deltas", into: &s)
        return s
    }
}
