import Neural
import PerturbData

/// The network of `state-transition`: every cell of a control set is encoded, the perturbation's and the context's
/// embeddings are added to each, transformer blocks let every cell attend to every other cell of the set (so the
/// prediction depends on the population, not on one cell), and the decoded output is each cell's shift: predicted
/// cells = control cells + shift. With a `basis` (k × genes, orthonormal rows: the training cells' principal axes)
/// cells enter as their k coordinates and the shift is decoded in those k dimensions and mapped back to genes, so
/// the model moves cells only along the data's main axes. With `noise` > 0 each cell also reads that many standard
/// normal draws, so the set it predicts can vary beyond its controls' own variation (a generative moment-matching
/// network when trained on MMD): e.g. respond in some cells and not in others.
final class StateTransitionNetwork: ParameterContainer, @unchecked Sendable {
    /// Noise inputs per cell.
    let noise: Int
    /// Fixed (not trained) principal axes, k × genes; nil: every gene.
    let basis: Tensor?
    let encoder: MLP
    let perturbationTable: Tensor
    let covariateTable: Tensor?
    let blocks: [SetAttentionBlock]
    let decoder: MLP
    let heads: Int

    init(
        genes: Int, members: Int, covariateWidth: Int, hidden: Int, blocks count: Int, heads: Int, dropout: Double,
        basis: Tensor? = nil, noise: Int = 0, generator: Generator
    ) throws {
        guard hidden % heads == 0 else {
            throw TorchError(operation: "state-transition", message: "hidden \(hidden) is not a multiple of heads \(heads)")
        }
        if let basis, basis.shape.count != 2 || basis.shape[1] != genes {
            throw TorchError(operation: "state-transition", message: "basis \(basis.shape) for \(genes) genes")
        }
        self.basis = basis
        let width = basis?.shape[0] ?? genes
        self.noise = noise
        encoder = try MLP([width + noise, hidden, hidden], dropout: dropout, generator: generator)
        perturbationTable = try Embedding(max(members, 1), hidden, generator: generator, std: 0.1).table
        covariateTable = covariateWidth > 0 ? try Embedding(covariateWidth, hidden, generator: generator, std: 0.1).table : nil
        blocks = try (0..<count).map { _ in try SetAttentionBlock(hidden: hidden, dropout: dropout, generator: generator) }
        decoder = try MLP([hidden, hidden, width], dropout: dropout, generator: generator)
        try decoder.setOutputBias([Float](repeating: 0, count: width))
        self.heads = heads
    }

    /// Predicted cells (n × genes) from control cells `controls` (n × genes) under `perturbation` (1 × members,
    /// multi-hot) in the context `covariates` (1 × width); the noise inputs are drawn from `generator`.
    func callAsFunction(
        controls: Tensor, perturbation: Tensor, covariates: Tensor, training: Bool, generator: Generator? = nil
    ) throws -> Tensor {
        let n = controls.shape[0]
        var condition = try perturbation.matmul(perturbationTable)
        if let covariateTable, covariates.shape[1] > 0 { condition = try condition + covariates.matmul(covariateTable) }
        var input = try basis.map { try controls.matmul($0.transposed()) } ?? controls
        if noise > 0 {
            guard let generator else { throw TorchError(operation: "state-transition", message: "noise inputs need a generator") }
            input = try Tensor.cat([input, Tensor.normal([n, noise], std: 1, generator: generator)], dim: 1)
        }
        var h = try encoder(input, training: training) + Tensor.ones([n, 1]).matmul(condition)
        for block in blocks { h = try block(h, heads: heads, training: training) }
        let shift = try decoder(h, training: training)
        return try controls + (basis.map { try shift.matmul($0) } ?? shift)
    }

    /// The parameters the optimizer moves (the basis stays fixed).
    var trainable: [Tensor] { namedParameters.filter { $0.name != "basis" }.map(\.tensor) }

    var namedParameters: [(name: String, tensor: Tensor)] {
        var out = prefixed("encoder", encoder) + [("perturbation_embedding", perturbationTable)]
        if let covariateTable { out.append(("covariate_embedding", covariateTable)) }
        for (i, block) in blocks.enumerated() { out += prefixed("block\(i)", block) }
        return out + prefixed("decoder", decoder) + (basis.map { [("basis", $0)] } ?? [])
    }
}

/// A pre-norm transformer block over the cells of one set: multi-head self-attention across the cells, then a
/// feed-forward layer, each added back to its input.
final class SetAttentionBlock: ParameterContainer, @unchecked Sendable {
    let attentionNorm: LayerNorm, feedForwardNorm: LayerNorm
    let query: Linear, key: Linear, value: Linear, output: Linear
    let feedForward: MLP

    init(hidden: Int, dropout: Double, generator: Generator) throws {
        attentionNorm = try LayerNorm(hidden)
        feedForwardNorm = try LayerNorm(hidden)
        query = try Linear(hidden, hidden, generator: generator)
        key = try Linear(hidden, hidden, generator: generator)
        value = try Linear(hidden, hidden, generator: generator)
        output = try Linear(hidden, hidden, generator: generator)
        feedForward = try MLP([hidden, 2 * hidden, hidden], dropout: dropout, layerNorm: false, generator: generator)
    }

    func callAsFunction(_ x: Tensor, heads: Int, training: Bool) throws -> Tensor {
        let n = x.shape[0], width = x.shape[1], head = width / heads
        let a = try attentionNorm(x)
        func split(_ t: Tensor) throws -> Tensor { try t.reshaped([n, heads, head]).transposed(0, 1) }
        let attended = try Tensor.attention(query: split(query(a)), key: split(key(a)), value: split(value(a)))
        let merged = try attended.transposed(0, 1).reshaped([n, width])
        let h = try x + output(merged)
        return try h + feedForward(feedForwardNorm(h), training: training)
    }

    var namedParameters: [(name: String, tensor: Tensor)] {
        prefixed("attention_norm", attentionNorm) + prefixed("query", query) + prefixed("key", key) + prefixed("value", value)
            + prefixed("output", output) + prefixed("feed_forward_norm", feedForwardNorm) + prefixed("feed_forward", feedForward)
    }
}
