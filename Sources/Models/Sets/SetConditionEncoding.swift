import LinearAlgebra
import Neural
import PerturbData

/// How a set model encodes a condition: the multi-hot over its training members (`NeuralInputs`), followed, when
/// the model has a feature table, by the sum of the members' rows in it — so a perturbation never seen in training
/// still gets an embedding when its members are in the table — and the one-hot context.
struct SetConditionEncoding: Sendable {
    let inputs: NeuralInputs
    /// Gene (member) → vector: a user's table (`features=FILE.csv`) or the genes' loadings (`features=loadings`).
    let table: PerturbationFeatures?

    /// Width of a perturbation's encoding.
    var perturbationWidth: Int { inputs.perturbationWidth + (table?.dimension ?? 0) }

    /// The encoding of a perturbation label (the control: zeros).
    func perturbation(_ label: String) -> [Float] {
        let oneHot = inputs.perturbation(label)
        guard let table else { return oneHot }
        guard label != inputs.labeling.controlLabel else { return oneHot + [Float](repeating: 0, count: table.dimension) }
        return oneHot + table.vector(inputs.labeling.members(of: label)).map { Float($0) }
    }

    /// The one-hot cell type and batch.
    func covariates(_ context: CellContext) -> [Float] { inputs.covariates(context) }

    /// Each gene's loadings on the principal axes `basis` (k × genes), as a table keyed by gene, scaled so that
    /// the mean row norm is 1: a knockdown of gene g moves cells along g's own loadings first, so this is an
    /// embedding for targets that are measured genes, seen in training or not.
    static func loadings(basis: Tensor, genes: [String]) throws -> PerturbationFeatures {
        let k = basis.shape[0], values = try basis.floats()
        var rows = [Double](repeating: 0, count: genes.count * k)
        for c in 0..<k { for g in genes.indices { rows[g * k + c] = Double(values[c * genes.count + g]) } }
        var norm = 0.0
        for g in genes.indices { norm += (0..<k).reduce(0.0) { $0 + rows[g * k + $1] * rows[g * k + $1] }.squareRoot() }
        norm /= Double(max(genes.count, 1))
        if norm > 0 { rows = rows.map { $0 / norm } }
        return PerturbationFeatures(embedding: Matrix(rows: genes.count, columns: k, storage: rows), keys: genes)
    }
}

extension StateTransitionNetwork {
    /// The predicted set of `condition` from `controls`, the condition encoded by `encoding`.
    func callAsFunction(
        controls: Tensor, condition: Condition, encoding: SetConditionEncoding, training: Bool, generator: Generator?
    ) throws -> Tensor {
        try self(
            controls: controls, perturbation: rowTensor(encoding.perturbation(condition.perturbation)),
            covariates: rowTensor(encoding.covariates(CellContext(condition))), training: training, generator: generator)
    }
}
