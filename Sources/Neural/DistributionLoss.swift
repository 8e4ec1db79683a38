import Foundation

/// Distances between sets of cells and the set-level losses of the seed study, on libtorch tensors: every one is
/// differentiable, so a set model can be trained on them. Sets are matrices with one cell per row. Each is
/// computed in float32 whatever the training precision: pairwise distances and sorted projections lose too much in
/// bfloat16/float16 (PyTorch's autocast keeps `cdist` and its losses in float32 for the same reason).
public enum DistributionLoss {
    /// The kernel of the MMD.
    public enum Kernel: Sendable, Equatable {
        /// Σ_b exp(−‖x − y‖² / (2 σ_b²)) over the bandwidths σ_b (multi-bandwidth Gaussian).
        case gaussian(bandwidths: [Double])
        /// −√(‖x − y‖² + 1e-8): MMD² is then the energy distance (the floor keeps the gradient finite at 0).
        case energy
    }

    /// Floor under squared distances inside the energy kernel's square root.
    public static let energyFloor = 1e-8

    /// Squared Euclidean distances between the rows of `x` (n × d) and `y` (m × d), n × m, clamped at 0.
    public static func squaredDistances(_ x: Tensor, _ y: Tensor) throws -> Tensor {
        let xx = try x.squared().sum(dim: 1, keepingDimension: true)
        let yy = try y.squared().sum(dim: 1, keepingDimension: true).transposed()
        return try (xx + yy - x.matmul(y.transposed()).affine(scale: 2)).clamped(0, Double(Float.greatestFiniteMagnitude))
    }

    static func kernel(_ squared: Tensor, _ kernel: Kernel) throws -> Tensor {
        switch kernel {
        case .energy:
            return try squared.affine(scale: 1, shift: energyFloor).sqrt().negated()
        case .gaussian(let bandwidths):
            precondition(!bandwidths.isEmpty, "at least one bandwidth")
            var sum: Tensor? = nil
            for sigma in bandwidths {
                let term = try squared.affine(scale: -1 / (2 * sigma * sigma)).exp()
                sum = try sum.map { try $0 + term } ?? term
            }
            return sum!
        }
    }

    /// MMD² between the sets `x` and `y` (biased V-statistic, every pair counted):
    /// mean k(x, x′) + mean k(y, y′) − 2 mean k(x, y).
    public static func mmd(_ x: Tensor, _ y: Tensor, kernel: Kernel) throws -> Tensor {
        try checkSets(x, y, "mmd")
        return try inFloat32(x, y) { x, y in
            let kxx = try Self.kernel(squaredDistances(x, x), kernel).mean()
            let kyy = try Self.kernel(squaredDistances(y, y), kernel).mean()
            let kxy = try Self.kernel(squaredDistances(x, y), kernel).mean()
            return try kxx + kyy - kxy.affine(scale: 2)
        }
    }

    /// `count` random unit directions in `dimension` dimensions (dimension × count), from `generator`.
    public static func directions(dimension: Int, count: Int, generator: Generator) throws -> Tensor {
        let raw = try Tensor.normal([dimension, count], std: 1, generator: generator)
        return try raw / raw.squared().sum(dim: 0, keepingDimension: true).sqrt()
    }

    /// Sliced Wasserstein-1 between two sets of the same size: over the columns θ of `directions` (d × P), the
    /// mean of |sort(x θ) − sort(y θ)| (the 1-D Wasserstein-1 distance of the projections), averaged.
    public static func slicedWasserstein1(_ x: Tensor, _ y: Tensor, directions: Tensor) throws -> Tensor {
        try checkSets(x, y, "sliced Wasserstein")
        guard x.shape[0] == y.shape[0] else {
            throw DistributionLossError.shapes(
                loss: "sliced Wasserstein", detail: "sets of \(x.shape[0]) and \(y.shape[0]) cells; it needs equal sizes")
        }
        guard directions.shape.count == 2, directions.shape[0] == x.shape[1] else {
            throw DistributionLossError.shapes(
                loss: "sliced Wasserstein", detail: "directions \(directions.shape) for \(x.shape[1]) features")
        }
        return try inFloat32(x, y) { x, y in
            let px = try x.matmul(directions).sorted(dim: 0), py = try y.matmul(directions).sorted(dim: 0)
            return try (px - py).abs().mean()
        }
    }

    /// Rows scaled to unit length (√(Σ v² + 1e-12)).
    static func normalizedRows(_ v: Tensor) throws -> Tensor {
        try v / v.squared().sum(dim: 1, keepingDimension: true).affine(scale: 1, shift: 1e-12).sqrt()
    }

    /// ProtoInfoNCE over a batch's C conditions: logits cos(p̂_i, o_j) / τ between predicted (C × d) and observed
    /// (C × d) pseudobulk deltas, cross-entropy toward the own condition — the predicted delta should be closer to
    /// its own observed delta than to any other condition's.
    public static func protoInfoNCE(predicted: Tensor, observed: Tensor, temperature: Double = 0.1) throws -> Tensor {
        try checkSame(predicted, observed, "ProtoInfoNCE")
        return try inFloat32(predicted, observed) { predicted, observed in
            let logits = try normalizedRows(predicted).matmul(normalizedRows(observed).transposed()).affine(scale: 1 / temperature)
            return try Loss.crossEntropy(logits, Tensor.indices(Array(0..<predicted.shape[0])))
        }
    }

    /// DE-rank loss: per condition, the cross-entropy between the DE gene map (C × d, non-negative weights, e.g.
    /// 1 for the genes DE in the training data) normalized to sum 1 and softmax(|p̂| / τ) over genes — the
    /// predicted change should concentrate on the DE genes. Conditions without DE genes do not count.
    public static func deRank(predicted: Tensor, deMap: Tensor, temperature: Double = 0.1) throws -> Tensor {
        try checkSame(predicted, deMap, "DE-rank")
        return try inFloat32(predicted, deMap) { predicted, deMap in
            let magnitude = try predicted.squared().affine(scale: 1, shift: 1e-12).sqrt()
            let logProbabilities = try magnitude.affine(scale: 1 / temperature).logSoftmax(dim: 1)
            let totals = try deMap.sum(dim: 1, keepingDimension: true)
            let weights = try deMap / totals.clamped(1e-12, Double(Float.greatestFiniteMagnitude))
            let perCondition = try (weights * logProbabilities).sum(dim: 1).negated()
            let present = try totals.sum(dim: 1).clamped(0, 1)  // 1 for conditions with DE genes
            return try (perCondition * present).sum() / present.sum().clamped(1, Double(Float.greatestFiniteMagnitude))
        }
    }

    /// DE-direction loss: over the DE genes (signs C × d: +1 up, −1 down, 0 not DE), the mean of
    /// softplus(−sign · p̂ / τ) = −log σ(sign · p̂ / τ) — the predicted delta should move each DE gene the observed way.
    public static func deDirection(predicted: Tensor, signs: Tensor, temperature: Double = 0.1) throws -> Tensor {
        try checkSame(predicted, signs, "DE-direction")
        return try inFloat32(predicted, signs) { predicted, signs in
            let terms = try (signs * predicted).affine(scale: -1 / temperature).softplus() * signs.abs()
            return try terms.sum() / signs.abs().sum().clamped(1, Double(Float.greatestFiniteMagnitude))
        }
    }

    /// `body` on `a` and `b` in float32, with autocast off.
    static func inFloat32(_ a: Tensor, _ b: Tensor, _ body: (Tensor, Tensor) throws -> Tensor) throws -> Tensor {
        try Torch.withPrecision(.float32) { try body(a.float32(), b.float32()) }
    }

    static func checkSets(_ x: Tensor, _ y: Tensor, _ loss: String) throws {
        guard x.shape.count == 2, y.shape.count == 2, x.shape[1] == y.shape[1], x.shape[0] > 0, y.shape[0] > 0 else {
            throw DistributionLossError.shapes(loss: loss, detail: "sets \(x.shape) and \(y.shape); expected n × d and m × d")
        }
    }

    static func checkSame(_ a: Tensor, _ b: Tensor, _ loss: String) throws {
        guard a.shape.count == 2, a.shape == b.shape, a.shape[0] > 0 else {
            throw DistributionLossError.shapes(loss: loss, detail: "\(a.shape) and \(b.shape); expected two C × d matrices")
        }
    }
}

/// Inputs a set loss cannot take.
public enum DistributionLossError: Error, Equatable, CustomStringConvertible {
    case shapes(loss: String, detail: String)

    public var description: String {
        switch self {
        case .shapes(let loss, let detail): return "\(loss) loss: \(detail)"
        }
    }
}
