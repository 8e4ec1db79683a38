/// Something with trainable parameters, each under a stable dotted name (`encoder.0.weight`).
public protocol ParameterContainer: AnyObject {
    var namedParameters: [(name: String, tensor: Tensor)] { get }
}

extension ParameterContainer {
    /// The tensors alone, in name order of declaration.
    public var parameters: [Tensor] { namedParameters.map { $0.tensor } }
}

/// Prefixes each name of `container`'s parameters with `prefix.`.
public func prefixed(_ prefix: String, _ container: ParameterContainer) -> [(name: String, tensor: Tensor)] {
    container.namedParameters.map { (prefix + "." + $0.name, $0.tensor) }
}

/// `t`, marked as trainable.
public func parameter(_ t: Tensor) -> Tensor {
    t.requiresGrad = true
    return t
}

/// y = x W + b, initialized as torch.nn.Linear (uniform ±1/√in for weight and bias).
public final class Linear: ParameterContainer, @unchecked Sendable {
    /// in × out (stored transposed relative to torch, so the forward pass needs no transpose).
    public let weight: Tensor
    public let bias: Tensor

    public init(_ inputs: Int, _ outputs: Int, generator: Generator) throws {
        let bound = 1 / Double(inputs).squareRoot()
        weight = parameter(try .uniform([inputs, outputs], low: -bound, high: bound, generator: generator))
        bias = parameter(try .uniform([outputs], low: -bound, high: bound, generator: generator))
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.matmul(weight) + bias }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
}

/// Layer normalization over the last dimension with a learned scale and shift.
public final class LayerNorm: ParameterContainer, @unchecked Sendable {
    public let weight: Tensor
    public let bias: Tensor

    public init(_ size: Int) throws {
        weight = parameter(try .ones([size]))
        bias = parameter(try .zeros([size]))
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.layerNorm(weight: weight, bias: bias) }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
}

/// A lookup table of learned vectors, initialized N(0, 1) as torch.nn.Embedding.
public final class Embedding: ParameterContainer, @unchecked Sendable {
    public let table: Tensor

    public init(_ count: Int, _ dimension: Int, generator: Generator, std: Double = 1) throws {
        table = parameter(try .normal([count, dimension], std: std, generator: generator))
    }

    /// The rows of `indices`.
    public func callAsFunction(_ indices: Tensor) throws -> Tensor { try table.indexSelect(dim: 0, indices) }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", table)] }
}

/// A multilayer perceptron: Linear → [LayerNorm] → ReLU → Dropout for each hidden layer, then a final Linear.
public final class MLP: ParameterContainer, @unchecked Sendable {
    public let linears: [Linear]
    public let norms: [LayerNorm]
    public let dropout: Double
    let generator: Generator

    /// `sizes` lists every width, input first and output last (at least two).
    public init(_ sizes: [Int], dropout: Double = 0, layerNorm: Bool = true, generator: Generator) throws {
        guard sizes.count >= 2, sizes.allSatisfy({ $0 > 0 }) else {
            throw TorchError(operation: "MLP", message: "layer sizes \(sizes): need at least an input and an output, all positive")
        }
        linears = try (1..<sizes.count).map { try Linear(sizes[$0 - 1], sizes[$0], generator: generator) }
        norms = layerNorm ? try sizes.dropFirst().dropLast().map { try LayerNorm($0) } : []
        self.dropout = dropout
        self.generator = generator
    }

    public func callAsFunction(_ x: Tensor, training: Bool) throws -> Tensor {
        var h = x
        for (i, layer) in linears.enumerated() {
            h = try layer(h)
            if i == linears.count - 1 { break }
            if !norms.isEmpty { h = try norms[i](h) }
            h = try h.relu()
            if dropout > 0 { h = try h.dropout(dropout, training: training, generator: generator) }
        }
        return h
    }

    /// Sets the bias of the output layer (e.g. to the mean of the targets, so training starts from the mean).
    public func setOutputBias(_ values: [Float]) throws {
        try linears[linears.count - 1].bias.assign(Tensor(values, shape: [values.count]))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        linears.enumerated().flatMap { prefixed("linear\($0.offset)", $0.element) }
            + norms.enumerated().flatMap { prefixed("norm\($0.offset)", $0.element) }
    }
}
