import LinearAlgebra
import PerturbData

/// `additive`: a combination is predicted as the sum of its members' single deltas, x̂_{A+B} = c + Δ_A + Δ_B
/// (docs/DESIGN.md §6); a single as its own delta. Each member's delta is taken from the same context when it was
/// measured there, else its cell type, else pooled over contexts; a member never seen as a training single
/// contributes the mean single delta.
public struct AdditiveModel: ForwardModel {
    public static let name = "additive"
    public static let summary = "sum of the members' training single deltas (combinations); own delta (singles)"
    public static let unseenFallback = "with the mean training delta in place of each unseen member's"
    public static let hyperparameterHelp: [String: String] = [:]
    private var singles: KeyedDeltas?
    private var unseen: [Double]?

    public init(hyperparameters: Hyperparameters) throws {
        try hyperparameters.check(known: Self.hyperparameterHelp, model: Self.name)
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        singles = try KeyedDeltas(loading: "single_deltas", from: state, model: Self.name)
        unseen = try state.vector("unseen_member_delta", model: Self.name)
    }

    static func key(_ member: String, _ context: CellContext) -> String { member + "\u{1E}" + context.key }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        let summary = try ConditionDeltas(train)
        var sums = KeyedDeltas(geneCount: train.geneCount)
        var mean = KeyedDeltas(geneCount: train.geneCount)
        for (i, condition) in summary.conditions.enumerated() where !train.labeling.isCombination(condition.perturbation) {
            let row = summary.deltas.rowSlice(i), weight = Double(summary.cellCounts[i])
            for context in CellContext(condition).fallbacks { sums.add(Self.key(condition.perturbation, context), row, weight: weight) }
            mean.add("all", row)
        }
        guard mean["all"] != nil else {
            throw ModelError.unusableTrainingData(model: Self.name, reason: "no single perturbations in the training data")
        }
        singles = sums.averaged()
        unseen = mean.averaged()["all"]
    }

    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let singles, let unseen else { throw ModelError.notFitted(model: Self.name) }
        var total = [Double](repeating: 0, count: unseen.count)
        for member in ConditionDeltas.members(of: condition.perturbation) {
            let d = CellContext(condition).fallbacks.lazy.compactMap { singles[Self.key(member, $0)] }.first ?? unseen
            for j in total.indices { total[j] += d[j] }
        }
        return total
    }

    public func state() throws -> ModelState {
        guard let singles, let unseen else { throw ModelError.notFitted(model: Self.name) }
        var s = ModelState()
        singles.save("single_deltas", into: &s)
        s.set("unseen_member_delta", vector: unseen)
        return s
    }
}
