/// Builds a `CSRMatrix` row by row. Entries of a row must be appended with ascending columns.
public struct CSRBuilder: Sendable {
    /// Number of columns of the matrix being built.
    public let columns: Int
    private var rowPointers: [Int64] = [0]
    private var columnIndices: [Int32] = []
    private var values: [Float] = []

    /// A builder for a matrix with `columns` columns; `expectedNonZeros` pre-allocates storage.
    public init(columns: Int, expectedNonZeros: Int = 0) {
        self.columns = columns
        columnIndices.reserveCapacity(expectedNonZeros)
        values.reserveCapacity(expectedNonZeros)
    }

    /// Adds one entry to the current row; zeros are skipped.
    @inlinable
    public mutating func append(column: Int32, value: Float) {
        guard value != 0 else { return }
        appendStored(column: column, value: value)
    }

    @usableFromInline
    internal mutating func appendStored(column: Int32, value: Float) {
        columnIndices.append(column)
        values.append(value)
    }

    /// Ends the current row.
    public mutating func finishRow() {
        rowPointers.append(Int64(values.count))
    }

    /// Number of rows finished so far.
    public var rowCount: Int { rowPointers.count - 1 }

    /// The finished matrix.
    public func build() -> CSRMatrix {
        CSRMatrix(
            unchecked: rowPointers.count - 1, columns: columns, rowPointers: rowPointers,
            columnIndices: columnIndices, values: values)
    }
}
