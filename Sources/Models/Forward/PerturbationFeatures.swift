import Foundation
import LinearAlgebra

/// How a perturbation label becomes a feature vector: multi-hot over a vocabulary of single perturbations (and
/// covariate values), or the sum of its members' rows in an embedding table (gene → vector). A member absent
/// from the vocabulary or table contributes nothing.
struct PerturbationFeatures: Sendable {
    /// Feature names (one-hot) or embedding keys.
    let vocabulary: [String]
    /// Embedding rows, when features come from a table (vocabulary.count × dimension).
    let embedding: Matrix<Double>?
    private let position: [String: Int]

    /// Multi-hot features over `vocabulary`.
    init(oneHot vocabulary: [String]) {
        self.vocabulary = vocabulary
        self.embedding = nil
        position = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
    }

    /// Features from an embedding table.
    init(embedding: Matrix<Double>, keys: [String]) {
        vocabulary = keys
        self.embedding = embedding
        position = Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Number of features.
    var dimension: Int { embedding?.columns ?? vocabulary.count }

    /// The feature vector of `items` (members of a perturbation, plus covariate tokens for one-hot features).
    func vector(_ items: [String]) -> [Double] {
        var out = [Double](repeating: 0, count: dimension)
        for item in items {
            guard let i = position[item] else { continue }
            if let embedding {
                for j in 0..<embedding.columns { out[j] += embedding.storage[i * embedding.columns + j] }
            } else {
                out[i] += 1
            }
        }
        return out
    }

    /// Reads a CSV embedding table: one row per key (first column) and one numeric column per dimension.
    /// A first row whose second field is not a number is taken as a header.
    static func readTable(path: String) throws -> PerturbationFeatures {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ModelError.invalidFeatureTable(path: path, reason: "cannot be read as UTF-8 text")
        }
        var keys: [String] = [], values: [Double] = [], width: Int?
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2 else {
                throw ModelError.invalidFeatureTable(path: path, reason: "line \(n + 1): expected a key and at least one number")
            }
            if n == 0, Double(fields[1]) == nil { continue }
            let numbers = fields.dropFirst().map { Double($0) }
            guard numbers.allSatisfy({ $0?.isFinite == true }) else {
                throw ModelError.invalidFeatureTable(path: path, reason: "line \(n + 1): non-numeric or non-finite value")
            }
            guard width == nil || width == numbers.count else {
                throw ModelError.invalidFeatureTable(path: path, reason: "line \(n + 1): \(numbers.count) values, expected \(width!)")
            }
            width = numbers.count
            keys.append(fields[0])
            values += numbers.map { $0! }
        }
        guard let width, !keys.isEmpty else { throw ModelError.invalidFeatureTable(path: path, reason: "no rows") }
        return PerturbationFeatures(embedding: Matrix(rows: keys.count, columns: width, storage: values), keys: keys)
    }

    func save(_ name: String, into state: inout ModelState) {
        state.lists[name + "_vocabulary"] = vocabulary
        if let embedding { state.set(name + "_embedding", matrix: embedding) }
    }

    init(loading name: String, from state: ModelState, model: String) throws {
        let vocabulary = try state.list(name + "_vocabulary", model: model)
        if state.arrays[name + "_embedding"] != nil {
            self.init(embedding: try state.matrix(name + "_embedding", model: model), keys: vocabulary)
        } else {
            self.init(oneHot: vocabulary)
        }
    }
}
