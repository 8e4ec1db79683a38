import LinearAlgebra

/// Weighted ridge regression with an unpenalized intercept, solved in closed form:
/// B = (X̃ᵀ W X̃ + λI)⁻¹ X̃ᵀ W Ỹ with X̃, Ỹ centred by their weighted means, intercept = ȳ − x̄ᵀB.
struct RidgeRegression: Sendable {
    /// Coefficients (features × outputs).
    let coefficients: Matrix<Double>
    /// Intercept per output.
    let intercept: [Double]

    /// Fits `targets` (n × outputs) on `features` (n × f) with row `weights` (default 1) and penalty `lambda`.
    init(features x: Matrix<Double>, targets y: Matrix<Double>, weights: [Double]? = nil, lambda: Double) throws {
        precondition(x.rows == y.rows && x.rows > 0, "one target row per feature row")
        let w = weights ?? [Double](repeating: 1, count: x.rows)
        let total = w.reduce(0, +)
        func centred(_ m: Matrix<Double>) -> (Matrix<Double>, [Double]) {
            var mean = [Double](repeating: 0, count: m.columns)
            for i in 0..<m.rows { for j in 0..<m.columns { mean[j] += w[i] * m.storage[i * m.columns + j] } }
            mean = mean.map { $0 / total }
            var out = m
            for i in 0..<m.rows {
                let s = w[i].squareRoot()
                for j in 0..<m.columns { out.storage[i * m.columns + j] = s * (m.storage[i * m.columns + j] - mean[j]) }
            }
            return (out, mean)
        }
        let (xc, xMean) = centred(x), (yc, yMean) = centred(y)
        let gram = xc.multiplied(by: xc, transposeSelf: true).addingToDiagonal(lambda)
        let b = try gram.solvingPositiveDefinite(xc.multiplied(by: yc, transposeSelf: true))
        coefficients = b
        let shift = Matrix(rows: 1, columns: xMean.count, storage: xMean).multiplied(by: b)
        intercept = yMean.indices.map { yMean[$0] - shift.storage[$0] }
    }

    /// Rebuilds a fit from saved parameters.
    init(coefficients: Matrix<Double>, intercept: [Double]) {
        self.coefficients = coefficients
        self.intercept = intercept
    }

    /// The prediction for one feature vector.
    func predict(_ features: [Double]) -> [Double] {
        let p = Matrix(rows: 1, columns: features.count, storage: features).multiplied(by: coefficients)
        return intercept.indices.map { intercept[$0] + p.storage[$0] }
    }

    func save(_ name: String, into state: inout ModelState) {
        state.set(name + "_coefficients", matrix: coefficients)
        state.set(name + "_intercept", vector: intercept)
    }

    init(loading name: String, from state: ModelState, model: String) throws {
        self.init(
            coefficients: try state.matrix(name + "_coefficients", model: model),
            intercept: try state.vector(name + "_intercept", model: model))
    }
}
