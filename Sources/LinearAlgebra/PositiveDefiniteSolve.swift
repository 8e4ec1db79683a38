import CLAPACK

/// Why a linear solve failed.
public enum LinearSolveError: Error, Equatable, CustomStringConvertible {
    /// The matrix was not symmetric positive definite (LAPACK's leading minor `minor` was not positive).
    case notPositiveDefinite(order: Int, minor: Int)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let order, let minor):
            return "the \(order)×\(order) system is not positive definite (leading minor \(minor)); increase the ridge penalty"
        }
    }
}

extension Matrix where Scalar == Double {
    /// Solves `self · X = rhs` for a symmetric positive-definite `self` by Cholesky (LAPACK `dposv`).
    public func solvingPositiveDefinite(_ rhs: Matrix<Double>) throws -> Matrix<Double> {
        precondition(rows == columns && rhs.rows == rows, "square system with one right-hand-side row per unknown")
        guard rows > 0, rhs.columns > 0 else { return Matrix(rows: rows, columns: rhs.columns) }
        var a = storage, b = rhs.storage
        let info = LAPACKE_dposv(
            LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(rows), Int32(rhs.columns),
            &a, Int32(rows), &b, Int32(rhs.columns))
        guard info == 0 else { throw LinearSolveError.notPositiveDefinite(order: rows, minor: Int(info)) }
        return Matrix(rows: rows, columns: rhs.columns, storage: b)
    }

    /// `self` plus `value` on the diagonal.
    public func addingToDiagonal(_ value: Double) -> Matrix<Double> {
        var out = self
        for i in 0..<Swift.min(rows, columns) { out.storage[i * columns + i] += value }
        return out
    }
}
