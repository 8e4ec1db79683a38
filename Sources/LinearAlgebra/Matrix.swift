/// A dense, row-major matrix of `Float` or `Double`.
public struct Matrix<Scalar: BinaryFloatingPoint & Sendable>: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row-major storage: element (r, c) lives at `r * columns + c`.
    public var storage: [Scalar]

    /// A matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over existing row-major storage; `storage.count` must equal `rows * columns`.
    public init(rows: Int, columns: Int, storage: [Scalar]) {
        precondition(storage.count == rows * columns, "storage has \(storage.count) elements, expected \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from an array of equally long rows.
    public init(rowArrays: [[Scalar]]) {
        let width = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == width }, "rows differ in length")
        self.init(rows: rowArrays.count, columns: width, storage: rowArrays.flatMap { $0 })
    }

    /// Element at row `r`, column `c`.
    @inlinable
    public subscript(r: Int, c: Int) -> Scalar {
        get { storage[r * columns + c] }
        set { storage[r * columns + c] = newValue }
    }

    /// A copy of row `r`.
    public func row(_ r: Int) -> [Scalar] {
        Array(storage[(r * columns)..<((r + 1) * columns)])
    }

    /// A copy of column `c`.
    public func column(_ c: Int) -> [Scalar] {
        (0..<rows).map { storage[$0 * columns + c] }
    }

    /// The transpose.
    public func transposed() -> Matrix {
        var out = Matrix(rows: columns, columns: rows)
        for r in 0..<rows {
            for c in 0..<columns { out.storage[c * rows + r] = storage[r * columns + c] }
        }
        return out
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var out = [Scalar]()
        out.reserveCapacity(indices.count * columns)
        for r in indices { out.append(contentsOf: storage[(r * columns)..<((r + 1) * columns)]) }
        return Matrix(rows: indices.count, columns: columns, storage: out)
    }

    /// The columns at `indices`, in that order.
    public func selectingColumns(_ indices: [Int]) -> Matrix {
        var out = [Scalar]()
        out.reserveCapacity(rows * indices.count)
        for r in 0..<rows { for c in indices { out.append(storage[r * columns + c]) } }
        return Matrix(rows: rows, columns: indices.count, storage: out)
    }

    /// Element-wise conversion to another scalar type.
    public func converted<Other: BinaryFloatingPoint & Sendable>(to _: Other.Type = Other.self) -> Matrix<Other> {
        Matrix<Other>(rows: rows, columns: columns, storage: storage.map { Other($0) })
    }

    /// Mean of each column, accumulated in `Double`.
    public func columnMeans() -> [Double] {
        var sums = [Double](repeating: 0, count: columns)
        for r in 0..<rows {
            for c in 0..<columns { sums[c] += Double(storage[r * columns + c]) }
        }
        let n = Double(Swift.max(rows, 1))
        return sums.map { $0 / n }
    }
}
