/// An obs or var table: a string index and named columns in order.
public struct DataFrame: Sendable, Equatable {
    /// Row names (`obs_names` / `var_names`).
    public var index: [String]
    /// Name of the index column as stored (anndata's `_index` attribute).
    public var indexName: String
    /// Column names in order.
    public private(set) var columnNames: [String]
    private var storage: [String: Column]

    /// An empty frame with the given row names.
    public init(index: [String], indexName: String = "_index") {
        self.index = index
        self.indexName = indexName
        self.columnNames = []
        self.storage = [:]
    }

    /// Number of rows.
    public var rowCount: Int { index.count }

    /// The column called `name`, or nil.
    public subscript(name: String) -> Column? { storage[name] }

    /// Adds or replaces a column; its length must equal the row count.
    public mutating func setColumn(_ name: String, _ column: Column) throws {
        guard column.count == rowCount else {
            throw DataFrameError.lengthMismatch(column: name, count: column.count, rows: rowCount)
        }
        if storage[name] == nil { columnNames.append(name) }
        storage[name] = column
    }

    /// Removes a column if present.
    public mutating func removeColumn(_ name: String) {
        guard storage.removeValue(forKey: name) != nil else { return }
        columnNames.removeAll { $0 == name }
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> DataFrame {
        var out = DataFrame(index: indices.map { index[$0] }, indexName: indexName)
        for name in columnNames { try! out.setColumn(name, storage[name]!.selecting(indices)) }
        return out
    }

    /// Index values that occur more than once (each listed once, in first-occurrence order).
    public func duplicateIndexValues() -> [String] {
        var seen = Set<String>(), reported = Set<String>(), out: [String] = []
        for name in index where !seen.insert(name).inserted && reported.insert(name).inserted { out.append(name) }
        return out
    }
}

/// A column that does not fit its frame.
public enum DataFrameError: Error, Equatable, CustomStringConvertible {
    case lengthMismatch(column: String, count: Int, rows: Int)

    public var description: String {
        switch self {
        case .lengthMismatch(let c, let n, let rows): return "column '\(c)' has \(n) values but the frame has \(rows) rows"
        }
    }
}
