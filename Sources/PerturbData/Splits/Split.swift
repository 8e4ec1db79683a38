import Foundation
import Support

/// A saved train/validation/test split: which conditions and which control cells belong to each part.
///
/// A cell belongs to a part when its *unit key* (the values of `unit_columns` joined by `" | "`, e.g. the
/// perturbation label, or label and cell type) is among the part's `conditions`, or when it is a control cell
/// whose id is among the part's `control_cells`. Written as sorted-key JSON with a SHA-256 `content_hash` of
/// everything else, so the same seed gives a byte-identical file and any edit is detectable.
public struct Split: Codable, Sendable, Equatable {
    /// File format tag.
    public var format = Split.formatTag
    /// Strategy name (`unseen-perturbation`, `combo`, `covariate-transfer`, `batch`, `data-scaling`).
    public var strategy: String
    /// The strategy's parameters, as text.
    public var parameters: [String: String]
    /// Seed of every random choice.
    public var seed: UInt64
    /// obs columns and control label the split was made with.
    public var columns: SplitColumns
    /// obs columns whose values form a cell's unit key.
    public var unitColumns: [String]
    /// Number of cells in the file the split was made from.
    public var cellCount: Int
    /// The parts, keyed `train`, `val`, `test`.
    public var parts: [String: SplitPart]
    /// Per part, per tier (`single`, `seen0`, `seen1`, `seen2`), the conditions (combo strategy).
    public var tiers: [String: [String: [String]]]?
    /// Nested training subsets by fraction (data-scaling strategy), sharing val and test.
    public var trainSubsets: [String: [String]]?
    /// SHA-256 of the JSON of every other field (nil while computing it).
    public var contentHash: String?

    public static let formatTag = "perturbkit-split/1"
    /// Part names in order.
    public static let partNames = SplitPartName.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey {
        case format, strategy, parameters, seed, columns, parts, tiers
        case unitColumns = "unit_columns", cellCount = "cell_count", trainSubsets = "train_subsets"
        case contentHash = "content_hash"
    }

    public init(
        strategy: String, parameters: [String: String], seed: UInt64, columns: SplitColumns,
        unitColumns: [String], cellCount: Int, parts: [String: SplitPart],
        tiers: [String: [String: [String]]]? = nil, trainSubsets: [String: [String]]? = nil
    ) {
        self.strategy = strategy
        self.parameters = parameters
        self.seed = seed
        self.columns = columns
        self.unitColumns = unitColumns
        self.cellCount = cellCount
        self.parts = parts
        self.tiers = tiers
        self.trainSubsets = trainSubsets
    }

    /// The part called `name` (empty when absent).
    public func part(_ name: String) -> SplitPart { parts[name] ?? SplitPart() }

    /// The hash of this split's content (every field but `content_hash`).
    public func computedHash() throws -> String {
        var copy = self
        copy.contentHash = nil
        return SHA256Hasher.hex(of: try Split.encoder.encode(copy))
    }

    /// The split with its content hash filled in.
    public func hashed() throws -> Split {
        var copy = self
        copy.contentHash = try computedHash()
        return copy
    }

    /// Sorted-key, pretty JSON (deterministic bytes).
    public func jsonData() throws -> Data { try Split.encoder.encode(self) }

    /// Writes the split atomically (with its content hash).
    public func write(to path: String) throws {
        try AtomicFile.write(try hashed().jsonData() + Data("\n".utf8), to: path)
    }

    /// Reads a split file, failing clearly on unreadable or malformed JSON.
    public static func read(from path: String) throws -> Split {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SplitError.unreadable(path: path, reason: error.localizedDescription)
        }
        do { return try JSONDecoder().decode(Split.self, from: data) } catch let DecodingError.keyNotFound(key, context) {
            throw SplitError.malformed(
                path: path, reason: "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw SplitError.malformed(
                path: path, reason: "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw SplitError.malformed(path: path, reason: "not a split JSON file (\(error.localizedDescription))")
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// One part of a split.
public struct SplitPart: Codable, Sendable, Equatable {
    /// Unit keys (sorted) whose cells belong to this part.
    public var conditions: [String]
    /// Ids of control cells assigned to this part (sorted), for strategies that divide controls by cell.
    public var controlCells: [String]

    enum CodingKeys: String, CodingKey {
        case conditions
        case controlCells = "control_cells"
    }

    public init(conditions: [String] = [], controlCells: [String] = []) {
        self.conditions = conditions.sorted()
        self.controlCells = controlCells.sorted()
    }
}

/// The obs vocabulary a split was made with.
public struct SplitColumns: Codable, Sendable, Equatable {
    public var perturbation: String
    public var control: String
    public var cellType: String?
    public var batch: String?

    enum CodingKeys: String, CodingKey {
        case perturbation, control
        case cellType = "cell_type", batch
    }

    public init(_ columns: DatasetColumns) {
        perturbation = columns.perturbation
        control = columns.control
        cellType = columns.cellType
        batch = columns.batch
    }

    /// As `DatasetColumns`.
    public var datasetColumns: DatasetColumns {
        DatasetColumns(perturbation: perturbation, control: control, cellType: cellType, batch: batch)
    }
}

/// Problems making, reading or applying a split.
public enum SplitError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)
    case invalidParameter(name: String, value: String, expected: String)
    case missingColumn(purpose: String, option: String)
    case tooFewUnits(strategy: String, have: Int, need: String)
    case unknownValues(option: String, values: [String], available: [String])
    case leakage(path: String, problems: [String])

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "\(p): cannot read split file: \(r)"
        case .malformed(let p, let r): return "\(p): \(r)"
        case .invalidParameter(let n, let v, let e): return "--\(n) \(v): expected \(e)"
        case .missingColumn(let purpose, let option): return "\(purpose) needs \(option)"
        case .tooFewUnits(let s, let have, let need): return "strategy \(s): \(have) units, need \(need)"
        case .unknownValues(let option, let values, let available):
            return "--\(option): \(values.joined(separator: ", ")) not found (available: \(available.prefix(20).joined(separator: ", ")))"
        case .leakage(let p, let problems):
            return "\(p): the split fails \(problems.count) check\(problems.count == 1 ? "" : "s"):\n"
                + problems.map { "  - " + $0 }.joined(separator: "\n")
        }
    }
}
