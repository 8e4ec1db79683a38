import Foundation
import PerturbData
import Support

/// What `model.json` in a model directory records besides the parameters.
public struct ModelProvenance: Sendable, Codable, Equatable {
    /// SHA-256 of the training data file.
    public var dataSHA256: String?
    /// Content hash of the split the model was fit on.
    public var splitHash: String?
    /// Training cells and perturbed conditions.
    public var trainingCells: Int
    public var trainingConditions: Int
    /// Seed of any random choice made while fitting.
    public var seed: UInt64
    /// The perturbation labels the model was trained on (absent in directories written before it was recorded).
    public var trainingPerturbations: [String]?

    public init(
        dataSHA256: String?, splitHash: String?, trainingCells: Int, trainingConditions: Int, seed: UInt64,
        trainingPerturbations: [String]? = nil
    ) {
        self.dataSHA256 = dataSHA256; self.splitHash = splitHash
        self.trainingCells = trainingCells; self.trainingConditions = trainingConditions; self.seed = seed
        self.trainingPerturbations = trainingPerturbations
    }
}

/// A fitted model on disk: `model.json` (name, hyperparameters, version, provenance, gene-set hash, the index
/// of the parameters and the string lists), `genes.txt`, and `parameters.bin` (little-endian Float64, arrays
/// in index order). Written into a temporary directory that is renamed into place, so a crash never leaves
/// a half-written model.
public struct ModelDirectory: Sendable {
    public static let formatTag = "perturbkit-model/1"

    struct Index: Codable {
        struct Entry: Codable { var name: String; var shape: [Int] }
        var format: String
        var model: String
        var version: String
        var hyperparameters: [String: String]
        var genesSHA256: String
        var geneCount: Int
        var provenance: ModelProvenance
        var parameters: [Entry]
        /// SHA-256 over the parameter index (names and shapes) and `parameters.bin`: a changed, corrupted or
        /// relabelled parameter file fails to load instead of predicting nonsense. Absent in directories written
        /// before issue 26, which load unchecked.
        var parametersSHA256: String?
        var lists: [String: [String]]
    }

    /// The model's registry name.
    public let modelName: String
    public let hyperparameters: Hyperparameters
    public let genes: [String]
    public let provenance: ModelProvenance
    public let state: ModelState

    public init(model: some ForwardModel, hyperparameters: Hyperparameters, genes: [String], provenance: ModelProvenance) throws {
        modelName = model.name
        self.hyperparameters = hyperparameters
        self.genes = genes
        self.provenance = provenance
        state = try model.state()
    }

    /// SHA-256 of the parameter entries (`name:shape` lines) followed by the parameter bytes.
    static func parametersHash(_ entries: [(name: String, shape: [Int])], blob: Data) -> String {
        var data = Data(entries.map { "\($0.name):\($0.shape.map(String.init).joined(separator: "x"))\n" }.joined().utf8)
        data.append(blob)
        return SHA256Hasher.hex(of: data)
    }

    /// SHA-256 of the gene names, newline-separated.
    public static func genesHash(_ genes: [String]) -> String {
        SHA256Hasher.hex(of: Data(genes.joined(separator: "\n").utf8))
    }

    /// Writes the directory at `path` (replacing an earlier model directory there).
    public func write(to path: String) throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: path).standardizedFileURL
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        try? fm.removeItem(at: temporary)
        try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
        do {
            let names = state.arrays.keys.sorted()
            var blob = Data(capacity: names.reduce(0) { $0 + state.arrays[$1]!.values.count * 8 })
            for name in names {
                state.arrays[name]!.values.withUnsafeBufferPointer { buffer in
                    for v in buffer { withUnsafeBytes(of: v.bitPattern.littleEndian) { blob.append(contentsOf: $0) } }
                }
            }
            try blob.write(to: temporary.appendingPathComponent("parameters.bin"))
            try Data((genes.joined(separator: "\n") + "\n").utf8).write(to: temporary.appendingPathComponent("genes.txt"))
            let index = Index(
                format: Self.formatTag, model: modelName, version: PerturbKitVersion.current,
                hyperparameters: hyperparameters.values, genesSHA256: Self.genesHash(genes), geneCount: genes.count,
                provenance: provenance, parameters: names.map { Index.Entry(name: $0, shape: state.arrays[$0]!.shape) },
                parametersSHA256: Self.parametersHash(names.map { ($0, state.arrays[$0]!.shape) }, blob: blob),
                lists: state.lists)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(index).write(to: temporary.appendingPathComponent("model.json"))
            if fm.fileExists(atPath: url.path) {
                guard
                    fm.fileExists(atPath: url.appendingPathComponent("model.json").path)
                        || ((try? fm.contentsOfDirectory(atPath: url.path)) ?? ["x"]).isEmpty
                else {
                    throw ModelError.invalidModelDirectory(
                        path: path, field: "output", reason: "exists and is not a model directory; not replacing it")
                }
                try fm.removeItem(at: url)
            }
            try fm.moveItem(at: temporary, to: url)
        } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
    }

    /// Reads a model directory.
    public init(reading path: String) throws {
        let url = URL(fileURLWithPath: path)
        func fail(_ field: String, _ reason: String) -> ModelError { .invalidModelDirectory(path: path, field: field, reason: reason) }
        guard let json = try? Data(contentsOf: url.appendingPathComponent("model.json")) else {
            throw fail("model.json", "missing or unreadable; is this a directory written by `perturb fit`?")
        }
        let decoder = JSONDecoder()
        let index: Index
        do { index = try decoder.decode(Index.self, from: json) } catch { throw fail("model.json", "not a model index (\(error))") }
        guard index.format == Self.formatTag else { throw fail("model.json: format", "'\(index.format)', expected '\(Self.formatTag)'") }
        guard let geneText = try? String(contentsOf: url.appendingPathComponent("genes.txt"), encoding: .utf8) else {
            throw fail("genes.txt", "missing or unreadable")
        }
        let genes = geneText.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        guard genes.count == index.geneCount, Self.genesHash(genes) == index.genesSHA256 else {
            throw fail("genes.txt", "does not match the gene count and hash in model.json")
        }
        guard let blob = try? Data(contentsOf: url.appendingPathComponent("parameters.bin")) else {
            throw fail("parameters.bin", "missing or unreadable")
        }
        // Sizes from model.json are checked before any arithmetic: a negative or overflowing shape is an error.
        var expected = 0
        for entry in index.parameters {
            var n = 1
            for size in entry.shape {
                let (product, overflow) = n.multipliedReportingOverflow(by: size)
                guard size >= 0, !overflow, product <= blob.count / 8 else {
                    throw fail("model.json: parameters", "'\(entry.name)' has shape \(entry.shape), which parameters.bin cannot hold")
                }
                n = product
            }
            expected += n
            guard expected <= blob.count / 8 else { break }
        }
        expected *= 8
        guard blob.count == expected else { throw fail("parameters.bin", "\(blob.count) bytes, expected \(expected)") }
        if let recorded = index.parametersSHA256,
            recorded != Self.parametersHash(index.parameters.map { ($0.name, $0.shape) }, blob: blob)
        {
            throw fail(
                "parameters.bin",
                "its content (or the parameter list in model.json) differs from the SHA-256 model.json records: the "
                    + "directory was changed or corrupted since `perturb fit` wrote it; fit the model again")
        }
        var state = ModelState()
        var offset = 0
        blob.withUnsafeBytes { raw in
            for entry in index.parameters {
                let n = entry.shape.reduce(1, *)
                let values = (0..<n).map { i in
                    Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8 * i, as: UInt64.self)))
                }
                state.arrays[entry.name] = ModelState.Parameter(shape: entry.shape, values: values)
                offset += 8 * n
            }
        }
        state.lists = index.lists
        modelName = index.model
        hyperparameters = Hyperparameters(index.hyperparameters)
        self.genes = genes
        provenance = index.provenance
        self.state = state
    }

    /// The fitted model, rebuilt through the registry.
    public func model() throws -> any ForwardModel {
        try forwardModels.type(named: modelName).init(state: state, hyperparameters: hyperparameters)
    }

    /// Fails unless `genes` are exactly the genes the model was fit on, in the same order.
    public func checkGenes(_ other: [String], dataPath: String) throws {
        guard other != genes else { return }
        let detail: String
        if other.count != genes.count {
            let missing = genes.filter { !Set(other).contains($0) }.prefix(5)
            detail =
                "the model has \(genes.count) genes, the data \(other.count)"
                + (missing.isEmpty ? "" : "; absent from the data: \(missing.joined(separator: ", "))")
        } else {
            let i = zip(genes, other).enumerated().first { $0.element.0 != $0.element.1 }!.offset
            detail = "first difference at position \(i): model '\(genes[i])', data '\(other[i])'"
        }
        throw ModelError.geneMismatch(model: modelName, data: dataPath, detail: detail)
    }
}
