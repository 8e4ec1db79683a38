import CLAPACK

/// Scalars with a BLAS general matrix product.
public protocol BLASScalar: BinaryFloatingPoint & Sendable {
    /// C = alpha · op(A) · op(B) + beta · C for row-major operands (CBLAS `?gemm`).
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: BLASScalar {
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

extension Double: BLASScalar {
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

extension Matrix where Scalar: BLASScalar {
    /// The product op(self) · op(other), computed by BLAS.
    public func multiplied(by other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
        let m = transposeSelf ? columns : rows
        let k = transposeSelf ? rows : columns
        let otherK = transposeOther ? other.columns : other.rows
        let n = transposeOther ? other.rows : other.columns
        precondition(k == otherK, "inner dimensions differ: \(k) vs \(otherK)")
        var out = Matrix(rows: m, columns: n)
        guard m > 0, n > 0 else { return out }
        if k == 0 { return out }
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                out.storage.withUnsafeMutableBufferPointer { c in
                    Scalar.gemm(
                        transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k, alpha: 1,
                        a: a.baseAddress!, lda: columns, b: b.baseAddress!, ldb: other.columns,
                        beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return out
    }
}

/// OpenBLAS's own thread pool. PerturbKit parallelizes above BLAS (`parallelMap`), so products issued from
/// worker threads should run single-threaded to avoid oversubscribing the cores.
public enum BLASThreads {
    /// Sets the number of threads OpenBLAS uses for one call.
    public static func set(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }
    /// The current OpenBLAS thread count.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with single-threaded BLAS (for products issued from `parallelMap` workers), then restores
    /// the previous thread count.
    public static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        let previous = current
        set(1)
        defer { set(previous) }
        return try body()
    }
}
