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

/// `cell-mean`: cell-eval's cell-mean baseline (`cell-eval baseline`, the VCC's reference): every predicted cell is
/// the mean over the training labels (the control's included) of each label's mean profile — the same constant
/// cell for every perturbation, which it samples itself instead of resampling controls, so that it scores
/// exactly like the baseline file the VCC scores against.
public struct CellMeanModel: ForwardModel {
    public static let name = "cell-mean"
    public static let summary = "cell-eval's baseline: every cell the mean of the training label means (constant cells)"
    public static let hyperparameterHelp: [String: String] = [:]
    private var profile: [Double]?
    private var controlMean: [Double]?

    public init(hyperparameters: Hyperparameters) throws {
        try hyperparameters.check(known: Self.hyperparameterHelp, model: Self.name)
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        profile = try state.vector("profile", model: Self.name)
        controlMean = try state.vector("control_mean", model: Self.name)
    }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        let data = train.normalizedLog1p()
        profile = data.labelMeanProfile().map(Double.init)
        controlMean = data.expression.columnMeans(rows: data.controlCells)
    }

    /// The profile minus the training control mean.
    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let profile, let controlMean else { throw ModelError.notFitted(model: Self.name) }
        return zip(profile, controlMean).map { $0 - $1 }
    }

    /// Every cell is the profile.
    public func sampleCells(_ condition: Condition, sources: CSRMatrix, seed: UInt64) throws -> CSRMatrix? {
        guard let profile else { throw ModelError.notFitted(model: Self.name) }
        let stored = profile.enumerated().map { (Int32($0.offset), Float($0.element)) }.filter { $0.1 != 0 }
        var builder = CSRBuilder(columns: profile.count)
        for _ in 0..<sources.rows {
            for (j, v) in stored { builder.append(column: j, value: v) }
            builder.finishRow()
        }
        return builder.build()
    }

    public func state() throws -> ModelState {
        guard let profile, let controlMean else { throw ModelError.notFitted(model: Self.name) }
        var s = ModelState()
        s.set("profile", vector: profile)
        s.set("control_mean", vector: controlMean)
        return s
    }
}
