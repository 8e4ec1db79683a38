/// A compressed sparse row matrix: `Float` values, `Int32` column indices, `Int64` row pointers.
///
/// Row `r` holds the entries `rowPointers[r] ..< rowPointers[r + 1]` of `columnIndices` and `values`.
/// Matrices built by this module store no explicit zeros and keep column indices ascending within a row.
public struct CSRMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// `rows + 1` offsets into `columnIndices` / `values`.
    public var rowPointers: [Int64]
    /// Column of each stored entry.
    public var columnIndices: [Int32]
    /// Value of each stored entry.
    public var values: [Float]

    /// Creates a matrix from its three arrays, checking that they are consistent.
    public init(rows: Int, columns: Int, rowPointers: [Int64], columnIndices: [Int32], values: [Float]) throws {
        try CSRMatrix.validate(
            rows: rows, columns: columns, rowPointers: rowPointers,
            columnIndices: columnIndices, values: values)
        self.init(unchecked: rows, columns: columns, rowPointers: rowPointers, columnIndices: columnIndices, values: values)
    }

    /// Creates a matrix without validation; the caller guarantees consistency.
    public init(unchecked rows: Int, columns: Int, rowPointers: [Int64], columnIndices: [Int32], values: [Float]) {
        self.rows = rows
        self.columns = columns
        self.rowPointers = rowPointers
        self.columnIndices = columnIndices
        self.values = values
    }

    /// An all-zero matrix.
    public init(zeros rows: Int, columns: Int) {
        self.init(
            unchecked: rows, columns: columns, rowPointers: Array(repeating: 0, count: rows + 1),
            columnIndices: [], values: [])
    }

    /// The sparse form of a dense matrix (zeros are not stored).
    public init<S>(dense: Matrix<S>) {
        var builder = CSRBuilder(columns: dense.columns)
        for r in 0..<dense.rows {
            let base = r * dense.columns
            for c in 0..<dense.columns where dense.storage[base + c] != 0 {
                builder.append(column: Int32(c), value: Float(dense.storage[base + c]))
            }
            builder.finishRow()
        }
        self = builder.build()
    }

    /// Number of stored entries.
    public var nonZeroCount: Int { values.count }

    /// Fraction of entries that are stored (0 for an empty matrix).
    public var density: Double {
        rows == 0 || columns == 0 ? 0 : Double(nonZeroCount) / (Double(rows) * Double(columns))
    }

    /// Range of storage positions that belong to row `r`.
    @inlinable
    public func range(ofRow r: Int) -> Range<Int> {
        Int(rowPointers[r])..<Int(rowPointers[r + 1])
    }

    /// Row `r` as a dense array.
    public func denseRow(_ r: Int) -> [Float] {
        var out = [Float](repeating: 0, count: columns)
        for k in range(ofRow: r) { out[Int(columnIndices[k])] = values[k] }
        return out
    }

    /// The whole matrix as a dense matrix; use only for small matrices.
    public func toDense() -> Matrix<Float> {
        var out = Matrix<Float>(rows: rows, columns: columns)
        for r in 0..<rows {
            for k in range(ofRow: r) { out.storage[r * columns + Int(columnIndices[k])] = values[k] }
        }
        return out
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> CSRMatrix {
        var pointers = [Int64](repeating: 0, count: indices.count + 1)
        for (i, r) in indices.enumerated() { pointers[i + 1] = pointers[i] + rowPointers[r + 1] - rowPointers[r] }
        var cols = [Int32](); cols.reserveCapacity(Int(pointers.last!))
        var vals = [Float](); vals.reserveCapacity(Int(pointers.last!))
        for r in indices {
            let span = range(ofRow: r)
            cols.append(contentsOf: columnIndices[span])
            vals.append(contentsOf: values[span])
        }
        return CSRMatrix(unchecked: indices.count, columns: columns, rowPointers: pointers, columnIndices: cols, values: vals)
    }

    /// This matrix's rows followed by `other`'s (same column count).
    public func stacking(_ other: CSRMatrix) -> CSRMatrix {
        precondition(other.columns == columns, "stacking needs the same columns")
        let offset = rowPointers.last ?? 0
        return CSRMatrix(
            unchecked: rows + other.rows, columns: columns,
            rowPointers: rowPointers + other.rowPointers.dropFirst().map { $0 + offset },
            columnIndices: columnIndices + other.columnIndices, values: values + other.values)
    }

    /// The columns at `indices` (ascending or not), renumbered 0..<indices.count.
    public func selectingColumns(_ indices: [Int]) -> CSRMatrix {
        var newIndex = [Int32](repeating: -1, count: columns)
        for (i, c) in indices.enumerated() { newIndex[c] = Int32(i) }
        var builder = CSRBuilder(columns: indices.count)
        var rowEntries: [(Int32, Float)] = []
        for r in 0..<rows {
            rowEntries.removeAll(keepingCapacity: true)
            for k in range(ofRow: r) where newIndex[Int(columnIndices[k])] >= 0 {
                rowEntries.append((newIndex[Int(columnIndices[k])], values[k]))
            }
            rowEntries.sort { $0.0 < $1.0 }
            for (c, v) in rowEntries { builder.append(column: c, value: v) }
            builder.finishRow()
        }
        return builder.build()
    }

    /// Applies `transform` to every stored value and drops the entries that become zero.
    /// `transform(0)` must be 0 for the result to be meaningful as a sparse matrix.
    public func mappingValues(_ transform: (Float) -> Float) -> CSRMatrix {
        var out = self
        out.values = values.map(transform)
        out.dropExplicitZeros()
        return out
    }

    /// Multiplies each row `r` by `factors[r]`.
    public func scalingRows(by factors: [Float]) -> CSRMatrix {
        precondition(factors.count == rows, "need one factor per row")
        var out = self
        for r in 0..<rows {
            let f = factors[r]
            for k in range(ofRow: r) { out.values[k] *= f }
        }
        out.dropExplicitZeros()
        return out
    }

    /// Removes stored entries whose value is exactly zero.
    public mutating func dropExplicitZeros() {
        guard values.withUnsafeBufferPointer(VectorScan.containsZero) else { return }
        var write = 0
        var newPointers = [Int64](repeating: 0, count: rows + 1)
        for r in 0..<rows {
            for k in range(ofRow: r) where values[k] != 0 {
                columnIndices[write] = columnIndices[k]
                values[write] = values[k]
                write += 1
            }
            newPointers[r + 1] = Int64(write)
        }
        columnIndices.removeSubrange(write...)
        values.removeSubrange(write...)
        rowPointers = newPointers
    }

    /// The transpose (equivalently, this matrix in CSC form read as CSR).
    public func transposed() -> CSRMatrix {
        var counts = [Int64](repeating: 0, count: columns + 1)
        for c in columnIndices { counts[Int(c) + 1] += 1 }
        for c in 0..<columns { counts[c + 1] += counts[c] }
        var next = counts
        var cols = [Int32](repeating: 0, count: nonZeroCount)
        var vals = [Float](repeating: 0, count: nonZeroCount)
        for r in 0..<rows {
            for k in range(ofRow: r) {
                let c = Int(columnIndices[k])
                let dest = Int(next[c])
                cols[dest] = Int32(r)
                vals[dest] = values[k]
                next[c] += 1
            }
        }
        return CSRMatrix(unchecked: columns, columns: rows, rowPointers: counts, columnIndices: cols, values: vals)
    }

    /// Checks the structural invariants of a CSR matrix.
    public static func validate(
        rows: Int, columns: Int, rowPointers: [Int64], columnIndices: [Int32],
        values: [Float]
    ) throws {
        guard rows >= 0, columns >= 0 else { throw CSRError.invalid("negative shape \(rows) × \(columns)") }
        guard rowPointers.count == rows + 1 else {
            throw CSRError.invalid("indptr has \(rowPointers.count) entries, expected rows + 1 = \(rows + 1)")
        }
        guard columnIndices.count == values.count else {
            throw CSRError.invalid("indices has \(columnIndices.count) entries but data has \(values.count)")
        }
        guard rowPointers.first == 0, rowPointers.last == Int64(values.count) else {
            throw CSRError.invalid("indptr must start at 0 and end at nnz = \(values.count)")
        }
        for r in 0..<rows where rowPointers[r] > rowPointers[r + 1] {
            throw CSRError.invalid("indptr decreases at row \(r)")
        }
        if let bad = columnIndices.firstIndex(where: { $0 < 0 || Int($0) >= columns }) {
            throw CSRError.invalid("column index \(columnIndices[bad]) at position \(bad) is outside 0..<\(columns)")
        }
    }
}

/// A structural problem in sparse matrix arrays.
public enum CSRError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let why): return "invalid sparse matrix: \(why)"
        }
    }
}
