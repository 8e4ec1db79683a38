import AnnData
import Foundation
import LinearAlgebra
import PerturbData
import Support

/// Where the embeddings under evaluation come from: obsm, another file, PCA of the expression, or noise.
public enum EmbeddingSources {
    /// PCA of the log expression: exact (dense covariance + LAPACK) when genes ≤ 2,000 and cells × genes
    /// ≤ 4·10⁷, else randomized subspace iteration with 7 power iterations. Coordinates, cells × components.
    public static func pca(_ cells: EmbeddingCells, components: Int, seed: UInt64) -> Matrix<Double> {
        pca(cells.expression, components: components, seed: seed)
    }

    /// PCA of any cells × genes matrix (e.g. the raw counts, the paper's PCA baseline), as `pca(_:components:seed:)`.
    public static func pca(_ x: CSRMatrix, components: Int, seed: UInt64) -> Matrix<Double> {
        let all = Array(0..<x.rows)
        let exact = x.columns <= 2000 && x.rows * x.columns <= 40_000_000
        let model =
            exact
            ? PCA.fitExact(x, rows: all, components: components)
            : PCA.fit(x, rows: all, components: components, iterations: 7, seed: seed)
        return model.transform(x, rows: all)
    }

    /// Standard normal noise of the given shape (the random baseline), seeded.
    public static func random(rows: Int, columns: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed, stream: 77)
        return Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in rng.normal() })
    }

    /// An embedding named by `spec`: an obsm key of `data`, `FILE.h5ad:KEY` (obsm of another file, matched by
    /// cell id), or a CSV whose first column is the cell id; rows are put in the order of `ids`.
    public static func load(_ spec: String, data: AnnData, ids: [String], path: String) throws -> (name: String, matrix: Matrix<Double>) {
        if let m = data.obsm[spec] { return (spec, m) }
        if spec.lowercased().hasSuffix(".csv") { return (stem(spec), try csv(spec, ids: ids)) }
        if let colon = spec.range(of: ".h5ad:", options: .backwards) {
            let file = String(spec[..<spec.index(colon.lowerBound, offsetBy: 5)]), key = String(spec[colon.upperBound...])
            let other = try AnnData.read(path: file, options: ReadOptions(matrix: nil, obsm: true))
            guard let m = other.obsm[key] else {
                throw EmbeddingError.missingEmbedding(path: file, key: key, available: other.obsm.keys.sorted())
            }
            return (key, try aligned(m, rowIDs: other.obs.index, to: ids, path: file))
        }
        throw EmbeddingError.missingEmbedding(path: path, key: spec, available: data.obsm.keys.sorted())
    }

    static func stem(_ path: String) -> String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }

    /// A CSV embedding: header, then `cell_id,v1,v2,…`.
    static func csv(_ path: String, ids: [String]) throws -> Matrix<Double> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EmbeddingError.unreadable(path: path, what: "embedding CSV")
        }
        let lines = text.split(whereSeparator: \.isNewline)
        guard lines.count > 1 else { throw EmbeddingError.invalid(path: path, reason: "no rows after the header") }
        var rowIDs: [String] = [], values: [[Double]] = []
        for (n, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let numbers = fields.dropFirst().map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard fields.count > 1, numbers.allSatisfy({ $0?.isFinite == true }) else {
                throw EmbeddingError.invalid(path: path, reason: "row \(n + 2): expected a cell id and finite numbers")
            }
            guard values.isEmpty || numbers.count == values[0].count else {
                throw EmbeddingError.invalid(path: path, reason: "row \(n + 2) has \(numbers.count) values, row 2 has \(values[0].count)")
            }
            rowIDs.append(String(fields[0]))
            values.append(numbers.map { $0! })
        }
        return try aligned(Matrix(rowArrays: values), rowIDs: rowIDs, to: ids, path: path)
    }

    /// The rows of `m` (labelled `rowIDs`) in the order of `ids`; every id must be present.
    static func aligned(_ m: Matrix<Double>, rowIDs: [String], to ids: [String], path: String) throws -> Matrix<Double> {
        let index = Dictionary(rowIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = ids.filter { index[$0] == nil }
        guard missing.isEmpty else { throw EmbeddingError.cellsMissing(path: path, count: missing.count, example: missing[0]) }
        return m.selectingRows(ids.map { index[$0]! })
    }
}
