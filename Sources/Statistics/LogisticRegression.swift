import CLAPACK
import Foundation
import LinearAlgebra

/// Multinomial logistic regression with an L2 penalty on the weights (not the intercepts), fit by L-BFGS on
/// BLAS products — scikit-learn's `LogisticRegression(C=…)` objective `C · Σ −log p(yᵢ|xᵢ) + ½‖W‖²` with
/// one weight vector per class.
public struct LogisticRegression: Sendable {
    /// Class labels, sorted (scikit-learn's `classes_`).
    public let classes: [String]
    /// Weights, classes × features.
    public let weights: Matrix<Double>
    /// Intercept of each class.
    public let intercepts: [Double]
    /// L-BFGS iterations used.
    public let iterations: Int

    /// Fits to the rows of `x` with labels `y`; `c` is the inverse regularization strength. Stops when the largest
    /// gradient entry of the objective divided by the number of rows falls below `tolerance` (scikit-learn's lbfgs
    /// criterion on its mean loss; its default is 10⁻⁴) or after `maxIterations`.
    public static func fit(
        _ x: Matrix<Double>, labels y: [String], c: Double = 1, maxIterations: Int = 1000,
        tolerance: Double = 1e-6
    ) -> LogisticRegression {
        precondition(y.count == x.rows, "one label per row")
        let coded = ClassCodes(y)
        let classes = coded.classes, target = coded.codes
        let k = classes.count, d = x.columns
        let objective = Objective(x: x, target: target, classes: k, c: c)
        var theta = [Double](repeating: 0, count: k * (d + 1))
        let iterations = LBFGS.minimize(&theta, maxIterations: maxIterations, tolerance: tolerance * Double(max(x.rows, 1))) {
            objective.evaluate($0)
        }
        let weights = Matrix(rows: k, columns: d, storage: Array(theta[0..<(k * d)]))
        return LogisticRegression(classes: classes, weights: weights, intercepts: Array(theta[(k * d)...]), iterations: iterations)
    }

    /// Class scores (logits), rows × classes.
    public func decisionFunction(_ x: Matrix<Double>) -> Matrix<Double> {
        var logits = x.multiplied(by: weights, transposeOther: true)
        for i in 0..<x.rows { for j in 0..<classes.count { logits.storage[i * classes.count + j] += intercepts[j] } }
        return logits
    }

    /// Classes of each row ordered from most to least probable (ties by class order).
    public func rankedClasses(_ x: Matrix<Double>) -> [[Int]] {
        ClassCodes.ranked(decisionFunction(x))
    }

    /// The penalized negative log-likelihood and its gradient (weights then intercepts).
    struct Objective {
        let x: Matrix<Double>
        let target: [Int]
        let classes: Int
        let c: Double

        func evaluate(_ theta: [Double]) -> (Double, [Double]) {
            let n = x.rows, d = x.columns, k = classes
            let w = Matrix(rows: k, columns: d, storage: Array(theta[0..<(k * d)]))
            var logits = x.multiplied(by: w, transposeOther: true)  // n × k
            var loss = 0.0
            var gradB = [Double](repeating: 0, count: k)
            for i in 0..<n {
                var top = -Double.infinity
                for j in 0..<k {
                    logits.storage[i * k + j] += theta[k * d + j]
                    top = max(top, logits.storage[i * k + j])
                }
                var sum = 0.0
                for j in 0..<k { sum += Foundation.exp(logits.storage[i * k + j] - top) }
                let logSum = top + Foundation.log(sum)
                loss -= logits.storage[i * k + target[i]] - logSum
                for j in 0..<k {
                    // Residual p − y, scaled by C, reusing the logits buffer.
                    let p = Foundation.exp(logits.storage[i * k + j] - logSum)
                    logits.storage[i * k + j] = c * (p - (j == target[i] ? 1 : 0))
                    gradB[j] += logits.storage[i * k + j]
                }
            }
            var gradW = logits.multiplied(by: x, transposeSelf: true)  // k × d
            var penalty = 0.0
            for t in 0..<(k * d) {
                penalty += theta[t] * theta[t]
                gradW.storage[t] += theta[t]
            }
            return (c * loss + 0.5 * penalty, gradW.storage + gradB)
        }
    }
}

/// Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4/7.5) with a backtracking line search satisfying the
/// Armijo condition; stops when the gradient's largest entry falls below `tolerance`. Vector work is BLAS
/// level 1, so the loop costs little next to the objective.
enum LBFGS {
    @discardableResult
    static func minimize(
        _ x: inout [Double], memory: Int = 10, maxIterations: Int, tolerance: Double,
        _ f: ([Double]) -> (Double, [Double])
    ) -> Int {
        let n = Int32(x.count)
        func dot(_ a: [Double], _ b: [Double]) -> Double { cblas_ddot(n, a, 1, b, 1) }
        func largest(_ a: [Double]) -> Double { a.isEmpty ? 0 : abs(a[Int(cblas_idamax(n, a, 1))]) }
        /// y += alpha · a
        func axpy(_ alpha: Double, _ a: [Double], _ y: inout [Double]) { cblas_daxpy(n, alpha, a, 1, &y, 1) }
        var (value, gradient) = f(x)
        var sList: [[Double]] = [], yList: [[Double]] = [], rhoList: [Double] = []
        for iteration in 0..<maxIterations {
            if largest(gradient) <= tolerance { return iteration }
            // Two-loop recursion for the search direction −H·g.
            var q = gradient
            var alphas = [Double](repeating: 0, count: sList.count)
            for i in stride(from: sList.count - 1, through: 0, by: -1) {
                alphas[i] = rhoList[i] * dot(sList[i], q)
                axpy(-alphas[i], yList[i], &q)
            }
            let gamma = sList.isEmpty ? 1 / max(largest(gradient), 1) : dot(sList.last!, yList.last!) / dot(yList.last!, yList.last!)
            cblas_dscal(n, gamma, &q, 1)
            for i in sList.indices {
                let beta = rhoList[i] * dot(yList[i], q)
                axpy(alphas[i] - beta, sList[i], &q)
            }
            var direction = q
            cblas_dscal(n, -1, &direction, 1)
            var slope = dot(gradient, direction)
            if slope >= 0 {  // not a descent direction: restart from steepest descent
                direction = gradient
                cblas_dscal(n, -1, &direction, 1)
                slope = dot(gradient, direction)
                sList.removeAll(); yList.removeAll(); rhoList.removeAll()
            }
            var step = 1.0
            var candidate = x, next = (value, gradient)
            var accepted = false
            for _ in 0..<60 {
                candidate = x
                axpy(step, direction, &candidate)
                next = f(candidate)
                if next.0 <= value + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else { return iteration }
            var s = candidate, y = next.1
            axpy(-1, x, &s)
            axpy(-1, gradient, &y)
            let sy = dot(s, y)
            if sy > 1e-12 * dot(y, y).squareRoot() * dot(s, s).squareRoot() {
                sList.append(s); yList.append(y); rhoList.append(1 / sy)
                if sList.count > memory { sList.removeFirst(); yList.removeFirst(); rhoList.removeFirst() }
            }
            let improvement = value - next.0
            x = candidate
            (value, gradient) = next
            if improvement <= 1e-16 * max(1, abs(value)) && largest(gradient) <= 1e-6 { return iteration + 1 }
        }
        return maxIterations
    }
}
