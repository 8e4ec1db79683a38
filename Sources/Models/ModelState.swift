/// A fitted model's parameters: named numeric arrays (with shapes) and named string lists. Models turn
/// themselves into a state to be saved and are rebuilt from one when loaded.
public struct ModelState: Sendable, Equatable {
    /// A numeric array and its shape (row-major).
    public struct Parameter: Sendable, Equatable {
        public var shape: [Int]
        public var values: [Double]

        public init(shape: [Int], values: [Double]) {
            precondition(shape.reduce(1, *) == values.count, "shape must match the value count")
            self.shape = shape
            self.values = values
        }
    }

    /// Numeric arrays by name.
    public var arrays: [String: Parameter] = [:]
    /// String lists by name (vocabularies, labels).
    public var lists: [String: [String]] = [:]

    public init() {}

    /// Stores a vector.
    public mutating func set(_ name: String, vector: [Double]) { arrays[name] = Parameter(shape: [vector.count], values: vector) }

    /// Stores a matrix.
    public mutating func set(_ name: String, matrix: Matrix<Double>) {
        arrays[name] = Parameter(shape: [matrix.rows, matrix.columns], values: matrix.storage)
    }

    /// A stored vector, or an error naming it.
    public func vector(_ name: String, model: String) throws -> [Double] {
        guard let a = arrays[name], a.shape.count == 1 else { throw missing(name, model, "a vector") }
        return a.values
    }

    /// A stored matrix, or an error naming it.
    public func matrix(_ name: String, model: String) throws -> Matrix<Double> {
        guard let a = arrays[name], a.shape.count == 2 else { throw missing(name, model, "a matrix") }
        return Matrix(rows: a.shape[0], columns: a.shape[1], storage: a.values)
    }

    /// A stored count: a vector holding one whole number from 0 to `limit`, or an error naming it.
    public func count(_ name: String, model: String, limit: Int = 1 << 40) throws -> Int {
        let v = try vector(name, model: model)
        guard v.count == 1, v[0].isFinite, v[0] >= 0, v[0] <= Double(limit), v[0].rounded() == v[0] else {
            throw missing(name, model, "one whole number from 0 to \(limit)")
        }
        return Int(v[0])
    }

    /// A stored string list, or an error naming it.
    public func list(_ name: String, model: String) throws -> [String] {
        guard let l = lists[name] else { throw missing(name, model, "a list") }
        return l
    }

    private func missing(_ name: String, _ model: String, _ kind: String) -> ModelError {
        .invalidModelDirectory(path: "model \(model)", field: name, reason: "expected \(kind) in the saved parameters")
    }
}

import LinearAlgebra
