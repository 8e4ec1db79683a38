import Foundation
import LinearAlgebra
import Support

/// A ReLU multilayer perceptron regressor as Tx-Evaluation's reconstruction `DecoderModel` builds and trains it:
/// linear layers (PyTorch's default initialization, U(±1/√fan_in) for weights and biases) with ReLU between them,
/// mean squared error over every output of the batch, AdamW with a warm-up cosine schedule (`MinibatchTraining`).
/// Single precision, as the reference trains.
public struct MLPRegressor: Sendable {
    /// Layer widths, input first, output last.
    public let widths: [Int]
    /// Per layer: weights (in × out) and biases.
    public let layers: [(weights: Matrix<Float>, biases: [Float])]

    /// The reference's hidden widths: `depth` layers spaced evenly between the input and output width,
    /// ⌊in + (out − in)·i/(depth + 1)⌋ for i = 1…depth.
    public static func interpolatedWidths(input: Int, output: Int, depth: Int) -> [Int] {
        let hidden = (0..<max(depth, 0)).map { i in
            Int((Double(input) + Double(output - input) * Double(i + 1) / Double(depth + 1)).rounded(.towardZero))
        }
        return [input] + hidden + [output]
    }

    /// Trains on inputs `x` (rows × widths.first) and targets `y` (rows × widths.last).
    public static func fit(
        _ x: Matrix<Float>, _ y: Matrix<Float>, widths: [Int], training: MinibatchTraining, seed: UInt64
    ) -> MLPRegressor {
        precondition(x.rows == y.rows && x.columns == widths.first && y.columns == widths.last, "shapes match the widths")
        var rng = SeededRandom(seed: seed, stream: 32)
        var parameters: [[Float]] = []
        for l in 0..<(widths.count - 1) {
            let bound = 1 / Double(widths[l]).squareRoot()
            parameters.append((0..<(widths[l] * widths[l + 1])).map { _ in Float(rng.uniform(-bound, bound)) })
            parameters.append((0..<widths[l + 1]).map { _ in Float(rng.uniform(-bound, bound)) })
        }
        let n = x.rows
        if n > 0 {
            var optimizer = AdamW<Float>(sizes: parameters.map(\.count), weightDecay: training.weightDecay)
            let schedule = training.schedule(rows: n)
            var step = 0
            for _ in 0..<training.epochs {
                for batch in training.batches(rows: n, &rng) {
                    let gradients = Self.gradients(parameters, widths: widths, x: x.selectingRows(batch), y: y.selectingRows(batch))
                    optimizer.step(&parameters, gradients: gradients, rate: schedule.rate(at: step))
                    step += 1
                }
            }
        }
        return MLPRegressor(
            widths: widths,
            layers: (0..<(widths.count - 1)).map { l in
                (Matrix(rows: widths[l], columns: widths[l + 1], storage: parameters[2 * l]), parameters[2 * l + 1])
            })
    }

    /// The forward pass: every layer's output (after ReLU for hidden layers), input first.
    static func forward(_ parameters: [[Float]], widths: [Int], x: Matrix<Float>) -> [Matrix<Float>] {
        var outputs = [x]
        for l in 0..<(widths.count - 1) {
            let w = Matrix(rows: widths[l], columns: widths[l + 1], storage: parameters[2 * l])
            var z = outputs[l].multiplied(by: w)
            let out = widths[l + 1], hidden = l < widths.count - 2
            for i in 0..<z.rows {
                for j in 0..<out {
                    let v = z.storage[i * out + j] + parameters[2 * l + 1][j]
                    z.storage[i * out + j] = hidden && v < 0 ? 0 : v
                }
            }
            outputs.append(z)
        }
        return outputs
    }

    /// Gradients of the mean squared error over the batch, in the order of `parameters`.
    static func gradients(_ parameters: [[Float]], widths: [Int], x: Matrix<Float>, y: Matrix<Float>) -> [[Float]] {
        let outputs = forward(parameters, widths: widths, x: x)
        var delta = outputs.last!
        let scale = 2 / Float(y.rows * y.columns)
        for i in delta.storage.indices { delta.storage[i] = (delta.storage[i] - y.storage[i]) * scale }
        var gradients = [[Float]](repeating: [], count: parameters.count)
        for l in stride(from: widths.count - 2, through: 0, by: -1) {
            let out = widths[l + 1]
            gradients[2 * l] = outputs[l].multiplied(by: delta, transposeSelf: true).storage
            var gb = [Float](repeating: 0, count: out)
            for i in 0..<delta.rows { for j in 0..<out { gb[j] += delta.storage[i * out + j] } }
            gradients[2 * l + 1] = gb
            if l > 0 {
                let w = Matrix(rows: widths[l], columns: out, storage: parameters[2 * l])
                var back = delta.multiplied(by: w, transposeOther: true)
                let h = outputs[l]
                for i in back.storage.indices where h.storage[i] <= 0 { back.storage[i] = 0 }
                delta = back
            }
        }
        return gradients
    }

    /// Predictions for the rows of `x`.
    public func predict(_ x: Matrix<Float>) -> Matrix<Float> {
        Self.forward(layers.flatMap { [$0.weights.storage, $0.biases] }, widths: widths, x: x).last!
    }
}
