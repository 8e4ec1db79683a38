/// The on-disk numeric type of a column, kept so that a file can be written back as it was read.
public enum NumericType: String, Sendable, Equatable, CaseIterable {
    case int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64

    /// The integer type of that signedness and width (8 bytes for any other width).
    init(signed: Bool, bytes: Int) {
        switch (signed, bytes) {
        case (true, 1): self = .int8
        case (true, 2): self = .int16
        case (true, 4): self = .int32
        case (true, _): self = .int64
        case (false, 1): self = .uint8
        case (false, 2): self = .uint16
        case (false, 4): self = .uint32
        case (false, _): self = .uint64
        }
    }

    /// Whether it is an integer type.
    public var isInteger: Bool { self != .float32 && self != .float64 }
}

/// One obs/var column, in any of the encodings anndata writes.
public enum Column: Sendable, Equatable {
    /// Numbers (held as `Double`; integers beyond 2^53 lose precision) with their on-disk type.
    case numeric([Double], NumericType)
    /// Booleans.
    case boolean([Bool])
    /// Strings.
    case string([String])
    /// A pandas categorical.
    case categorical(Categorical)
    /// pandas `Int64` style integers; `missing[i]` marks NA.
    case nullableInteger([Int64], missing: [Bool])
    /// pandas `boolean`; `missing[i]` marks NA.
    case nullableBoolean([Bool], missing: [Bool])
    /// pandas `string` dtype; `missing[i]` marks NA.
    case nullableString([String], missing: [Bool])

    /// Number of rows.
    public var count: Int {
        switch self {
        case .numeric(let v, _): return v.count
        case .boolean(let v): return v.count
        case .string(let v): return v.count
        case .categorical(let c): return c.codes.count
        case .nullableInteger(let v, _): return v.count
        case .nullableBoolean(let v, _): return v.count
        case .nullableString(let v, _): return v.count
        }
    }

    /// A short name of the column's type, as `perturb inspect` shows it.
    public var typeName: String {
        switch self {
        case .numeric(_, let t): return t.rawValue
        case .boolean: return "bool"
        case .string: return "string"
        case .categorical(let c): return c.ordered ? "categorical (ordered)" : "categorical"
        case .nullableInteger: return "Int64 (nullable)"
        case .nullableBoolean: return "boolean (nullable)"
        case .nullableString: return "string (nullable)"
        }
    }

    /// Every value rendered as text; nil for missing values.
    public func labels() -> [String?] {
        switch self {
        case .numeric(let v, let t):
            return v.map { t.isInteger ? String(Int64($0)) : String($0) }
        case .boolean(let v): return v.map { String($0) }
        case .string(let v): return v
        case .categorical(let c): return c.labels()
        case .nullableInteger(let v, let m): return zip(v, m).map { $1 ? nil : String($0) }
        case .nullableBoolean(let v, let m): return zip(v, m).map { $1 ? nil : String($0) }
        case .nullableString(let v, let m): return zip(v, m).map { $1 ? nil : $0 }
        }
    }

    /// The rows at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> Column {
        switch self {
        case .numeric(let v, let t): return .numeric(indices.map { v[$0] }, t)
        case .boolean(let v): return .boolean(indices.map { v[$0] })
        case .string(let v): return .string(indices.map { v[$0] })
        case .categorical(let c):
            return .categorical(
                Categorical(
                    uncheckedCodes: indices.map { c.codes[$0] }, categories: c.categories,
                    ordered: c.ordered))
        case .nullableInteger(let v, let m): return .nullableInteger(indices.map { v[$0] }, missing: indices.map { m[$0] })
        case .nullableBoolean(let v, let m): return .nullableBoolean(indices.map { v[$0] }, missing: indices.map { m[$0] })
        case .nullableString(let v, let m): return .nullableString(indices.map { v[$0] }, missing: indices.map { m[$0] })
        }
    }
}

/// A pandas categorical: integer codes into a list of categories; code −1 means missing.
public struct Categorical: Sendable, Equatable {
    /// Code of each row (−1 for missing).
    public let codes: [Int32]
    /// The categories, as strings (numeric categories are rendered as text).
    public let categories: [String]
    /// Whether the categories are ordered.
    public let ordered: Bool

    /// A categorical from codes and categories; codes must lie in −1 ..< categories.count.
    public init(codes: [Int32], categories: [String], ordered: Bool = false) throws {
        if let bad = codes.first(where: { $0 < -1 || Int($0) >= categories.count }) {
            throw CategoricalError.invalidCode(bad, categories.count)
        }
        // pandas refuses repeated categories (anndata cannot read such a file); merging them would silently pool
        // two groups of cells.
        var seen = Set<String>()
        if let repeated = categories.first(where: { !seen.insert($0).inserted }) {
            throw CategoricalError.duplicateCategory(repeated)
        }
        self.init(uncheckedCodes: codes, categories: categories, ordered: ordered)
    }

    init(uncheckedCodes codes: [Int32], categories: [String], ordered: Bool) {
        self.codes = codes
        self.categories = categories
        self.ordered = ordered
    }

    /// A categorical from labels; categories are the distinct labels in sorted order (as pandas does).
    public init(labels: [String], ordered: Bool = false) {
        let categories = Array(Set(labels)).sorted()
        var code: [String: Int32] = [:]
        for (i, c) in categories.enumerated() { code[c] = Int32(i) }
        self.init(uncheckedCodes: labels.map { code[$0]! }, categories: categories, ordered: ordered)
    }

    /// Each row's category, or nil when missing.
    public func labels() -> [String?] {
        codes.map { $0 < 0 ? nil : categories[Int($0)] }
    }
}

/// Invalid categorical codes.
public enum CategoricalError: Error, Equatable, CustomStringConvertible {
    case invalidCode(Int32, Int)
    case duplicateCategory(String)

    public var description: String {
        switch self {
        case .invalidCode(let code, let n): return "categorical code \(code) is outside −1 ..< \(n)"
        case .duplicateCategory(let c): return "category '\(c)' appears twice (categories must be distinct, as pandas requires)"
        }
    }
}
