import LinearAlgebra
import PerturbData

/// `linear-pca` (Ahlmann-Eltze et al.), exactly docs/DESIGN.md §6: Y = training deltas (genes × perturbations),
/// b = row means of Y, Ỹ = Y − b; G = the top-K principal components of the genes of the training pseudobulk
/// (genes × conditions, control included, each condition centred over genes: prcomp's scores); the embedding
/// of perturbation p is P[:, p] = G[target(p), :] (summed over the members of a combination; zero when a target
/// is not among the genes); W = (GᵀG + λI)⁻¹ Gᵀ Ỹ Pᵀ (PPᵀ + λI)⁻¹; x̂_p = c + b + G W P[:, p].
public struct LinearPCAModel: ForwardModel {
    public static let name = "linear-pca"
    public static let summary = "Ahlmann-Eltze's linear model on PCA gene embeddings (predicts unseen targets)"
    public static let hyperparameterHelp = [
        "k": "number of principal components (default 10)",
        "lambda": "ridge penalty on both sides (default 0.1)",
    ]
    private let k: Int
    private let lambda: Double
    private var genes: [String] = []
    private var geneIndex: [String: Int] = [:]
    private var geneEmbedding: Matrix<Double>?  // G, genes × K
    private var weights: Matrix<Double>?  // W, K × K
    private var offset: [Double]?  // b

    public init(hyperparameters: Hyperparameters) throws {
        try hyperparameters.check(known: Self.hyperparameterHelp, model: Self.name)
        k = try hyperparameters.int("k", default: 10, in: 1...1000, model: Self.name)
        lambda = try hyperparameters.double("lambda", default: 0.1, in: 1e-12...1e12, model: Self.name)
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        setGenes(try state.list("genes", model: Self.name))
        geneEmbedding = try state.matrix("gene_embedding", model: Self.name)
        weights = try state.matrix("weights", model: Self.name)
        offset = try state.vector("offset", model: Self.name)
    }

    /// The fit from explicit matrices (also what the tests pin): `pseudobulk` genes × conditions, `deltas`
    /// genes × perturbations, `targets` the gene rows of each perturbation's members.
    static func solve(pseudobulk: Matrix<Double>, deltas y: Matrix<Double>, targets: [[Int]], k: Int, lambda: Double) throws
        -> (g: Matrix<Double>, w: Matrix<Double>, b: [Double])
    {
        let genes = pseudobulk.rows, conditions = pseudobulk.columns
        var centred = pseudobulk
        for c in 0..<conditions {
            var mean = 0.0
            for i in 0..<genes { mean += pseudobulk.storage[i * conditions + c] }
            mean /= Double(genes)
            for i in 0..<genes { centred.storage[i * conditions + c] -= mean }
        }
        let (_, vectors) = centred.multiplied(by: centred, transposeSelf: true).symmetricEigendecomposition()
        let kk = min(k, conditions)
        var v = Matrix<Double>(rows: conditions, columns: kk)
        for r in 0..<conditions { for j in 0..<kk { v.storage[r * kk + j] = vectors[r, conditions - 1 - j] } }
        let g = centred.multiplied(by: v)
        let perts = y.columns
        var b = [Double](repeating: 0, count: genes)
        var yc = y
        for i in 0..<genes {
            var s = 0.0
            for p in 0..<perts { s += y.storage[i * perts + p] }
            b[i] = s / Double(perts)
            for p in 0..<perts { yc.storage[i * perts + p] -= b[i] }
        }
        var pMatrix = Matrix<Double>(rows: kk, columns: perts)
        for (p, rows) in targets.enumerated() {
            for r in rows { for j in 0..<kk { pMatrix.storage[j * perts + p] += g.storage[r * kk + j] } }
        }
        let left = try g.multiplied(by: g, transposeSelf: true).addingToDiagonal(lambda)
            .solvingPositiveDefinite(g.multiplied(by: yc, transposeSelf: true))  // (GᵀG+λI)⁻¹ Gᵀ Ỹ   (K × perts)
        let right = try pMatrix.multiplied(by: pMatrix, transposeOther: true).addingToDiagonal(lambda)
            .solvingPositiveDefinite(pMatrix.multiplied(by: left, transposeOther: true))  // (PPᵀ+λI)⁻¹ P (·)ᵀ = Wᵀ
        return (g, right.transposed(), b)
    }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        let summary = try ConditionDeltas(train)
        let pooled = summary.pooledByPerturbation()
        guard pooled.labels.count >= 2 else {
            throw ModelError.unusableTrainingData(model: Self.name, reason: "needs at least two training perturbations")
        }
        let control = summary.controlMean(for: CellContext())
        let g = train.geneCount, perts = pooled.labels.count
        var bulk = Matrix<Double>(rows: g, columns: perts + 1)
        var y = Matrix<Double>(rows: g, columns: perts)
        for i in 0..<g {
            bulk.storage[i * (perts + 1) + perts] = control[i]
            for p in 0..<perts {
                let d = pooled.deltas.storage[p * g + i]
                y.storage[i * perts + p] = d
                bulk.storage[i * (perts + 1) + p] = control[i] + d
            }
        }
        setGenes(train.genes)
        let fit = try Self.solve(pseudobulk: bulk, deltas: y, targets: pooled.labels.map(targetRows), k: k, lambda: lambda)
        (geneEmbedding, weights, offset) = (fit.g, fit.w, fit.b)
    }

    private mutating func setGenes(_ names: [String]) {
        genes = names
        geneIndex = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    private func targetRows(_ label: String) -> [Int] {
        ConditionDeltas.members(of: label).compactMap { geneIndex[$0] }
    }

    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let g = geneEmbedding, let w = weights, let b = offset else { throw ModelError.notFitted(model: Self.name) }
        var p = Matrix<Double>(rows: g.columns, columns: 1)
        for r in targetRows(condition.perturbation) { for j in 0..<g.columns { p.storage[j] += g[r, j] } }
        let shift = g.multiplied(by: w.multiplied(by: p))
        return b.indices.map { b[$0] + shift.storage[$0] }
    }

    /// Every gene: a target's embedding is its row of G.
    public func representableTargets() -> [String] { genes }

    public func state() throws -> ModelState {
        guard let g = geneEmbedding, let w = weights, let b = offset else { throw ModelError.notFitted(model: Self.name) }
        var s = ModelState()
        s.lists["genes"] = genes
        s.set("gene_embedding", matrix: g)
        s.set("weights", matrix: w)
        s.set("offset", vector: b)
        return s
    }
}
