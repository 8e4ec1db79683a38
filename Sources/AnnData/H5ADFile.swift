import CHDF5
import Foundation
import LinearAlgebra
import Support

/// Which expression matrix to read.
public enum MatrixSource: Sendable, Equatable, CustomStringConvertible {
    /// The main matrix `X`.
    case x
    /// A named layer, `layers/NAME`.
    case layer(String)

    public var description: String {
        switch self {
        case .x: return "X"
        case .layer(let name): return "layers/\(name)"
        }
    }
}

/// An `.h5ad` file opened for reading. Elements are read on request, so opening is cheap.
public final class H5ADFile {
    /// The file's path as given.
    public let path: String
    let file: H5Handle
    let root: H5Group

    /// Opens `path`, checking that it exists, is HDF5 and looks like AnnData.
    public init(path: String) throws {
        _ = H5.initialized
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AnnDataError.fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else { throw AnnDataError.notHDF5(path: path) }
        try HDF5Isolation.check(path: path)
        guard H5Fis_hdf5(path) > 0 else { throw AnnDataError.notHDF5(path: path) }
        let id = H5Fopen(path, pk_h5f_acc_rdonly(), H5.defaultProperties)
        file = try H5Handle(id, .file, path: path, field: "/", operation: "open")
        let rootID = H5Gopen2(file.id, "/", H5.defaultProperties)
        root = H5Group(
            handle: try H5Handle(rootID, .group, path: path, field: "/", operation: "open group"),
            file: path, name: "")
        let encoding = try root.encodingType()
        // obs and var are groups, or compound datasets in files of anndata < 0.7.
        guard encoding == "anndata" || (root.isGroup("obs") != nil && root.isGroup("var") != nil) else {
            let members = (try? root.memberNames()) ?? []
            throw AnnDataError.notAnnData(
                path: path,
                reason: "no 'obs' and 'var' and no encoding-type "
                    + "'anndata' on the root (found: \(members.isEmpty ? "nothing" : members.joined(separator: ", ")))")
        }
    }

    /// Keys of `layers`.
    public func layerKeys() throws -> [String] {
        root.isGroup("layers") == true ? try root.group("layers").memberNames() : []
    }

    /// Keys of `obsm`.
    public func obsmKeys() throws -> [String] {
        root.isGroup("obsm") == true ? try root.group("obsm").memberNames() : []
    }

    /// Keys of `uns`.
    public func unsKeys() throws -> [String] {
        root.isGroup("uns") == true ? try root.group("uns").memberNames() : []
    }

    /// Whether the file has an `X` element.
    public var hasX: Bool { root.contains("X") }

    /// Number of cells (rows of `obs`).
    public func cellCount() throws -> Int { try frameRowCount("obs") }

    /// Number of genes (rows of `var`).
    public func geneCount() throws -> Int { try frameRowCount("var") }

    private func frameRowCount(_ name: String) throws -> Int {
        let group = try root.group(name)
        let indexName = try group.stringAttribute("_index") ?? "_index"
        return try group.dataset(indexName).elementCount()
    }
}

/// What `AnnData.read` loads.
public struct ReadOptions: Sendable {
    /// The matrix to load into `X` (nil: none).
    public var matrix: MatrixSource?
    /// Layers to load as well.
    public var layers: [String]
    /// Whether to load every `obsm` array.
    public var obsm: Bool
    /// `uns` keys to load (unsupported contents are skipped).
    public var uns: [String]
    /// Progress of the matrix read, in stored entries.
    public var progress: ProgressHandler?

    /// Options: by default X, no layers, obsm, no uns.
    public init(
        matrix: MatrixSource? = .x, layers: [String] = [], obsm: Bool = true, uns: [String] = [],
        progress: ProgressHandler? = nil
    ) {
        self.matrix = matrix
        self.layers = layers
        self.obsm = obsm
        self.uns = uns
        self.progress = progress
    }
}

extension AnnData {
    /// Reads an `.h5ad` file. `options.matrix` chooses what becomes `X` (the main matrix or a layer).
    public static func read(path: String, options: ReadOptions = ReadOptions()) throws -> AnnData {
        try read(from: H5ADFile(path: path), options: options)
    }

    /// Reads X (when present), every layer, obs, var and obsm — everything a command that rewrites the file
    /// carries through (uns is not read).
    public static func readWithAllLayers(path: String, progress: ProgressHandler? = nil) throws -> AnnData {
        let file = try H5ADFile(path: path)
        return try read(
            from: file,
            options: ReadOptions(
                matrix: file.hasX ? .x : nil, layers: try file.layerKeys(),
                progress: progress))
    }

    /// Reads from an already opened file.
    public static func read(from file: H5ADFile, options: ReadOptions = ReadOptions()) throws -> AnnData {
        let path = file.path
        let obs = try file.readFrame("obs")
        let variables = try file.readFrame("var")
        var X: CSRMatrix? = nil
        if let source = options.matrix {
            let matrix = try file.readMatrix(source, progress: options.progress)
            try file.checkShape(matrix, source: source, cells: obs.rowCount, genes: variables.rowCount)
            X = matrix
        }
        var layers: [String: CSRMatrix] = [:]
        for name in options.layers {
            let layer = try file.readMatrix(.layer(name))
            try file.checkShape(layer, source: .layer(name), cells: obs.rowCount, genes: variables.rowCount)
            layers[name] = layer
        }
        var obsm: [String: Matrix<Double>] = [:]
        if options.obsm {
            for key in try file.obsmKeys() {
                let array = try file.readObsm(key)
                guard array.rows == obs.rowCount else {
                    throw AnnDataError.malformed(
                        path: path, field: "obsm/\(key)",
                        reason: "has \(array.rows) rows but obs has \(obs.rowCount)")
                }
                obsm[key] = array
            }
        }
        var uns: [String: UnsValue] = [:]
        for key in options.uns { uns[key] = try file.readUns(key) }
        return AnnData(X: X, obs: obs, variables: variables, obsm: obsm, layers: layers, uns: uns)
    }
}

extension H5ADFile {
    func checkShape(_ matrix: CSRMatrix, source: MatrixSource, cells: Int, genes: Int) throws {
        guard matrix.rows == cells, matrix.columns == genes else {
            throw AnnDataError.malformed(
                path: path, field: source.description,
                reason: "shape \(matrix.rows) × \(matrix.columns) differs from obs × var = \(cells) × \(genes)")
        }
    }
}
