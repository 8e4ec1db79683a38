import CHDF5
import Foundation
import LinearAlgebra
import Support

/// How `AnnData.write` stores the file.
public struct WriteOptions: Sendable {
    /// gzip level (1–9) for numeric arrays, or nil for no compression.
    public var gzipLevel: Int?
    /// Store `X` (not layers) as a dense 2-D array instead of CSR.
    public var denseX: Bool
    /// Progress of the matrix write, in rows.
    public var progress: ProgressHandler?

    /// Defaults: uncompressed, sparse X.
    public init(gzipLevel: Int? = nil, denseX: Bool = false, progress: ProgressHandler? = nil) {
        self.gzipLevel = gzipLevel
        self.denseX = denseX
        self.progress = progress
    }
}

extension AnnData {
    /// Writes the object as an `.h5ad` file readable by anndata ≥ 0.8 (categoricals stay categoricals).
    ///
    /// The file is written next to `path` under a temporary name and renamed into place only when complete,
    /// so a failure never leaves a partial file at `path`.
    public func write(to path: String, options: WriteOptions = WriteOptions()) throws {
        _ = H5.initialized
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw AnnDataError.writeFailed(path: path, reason: "directory \(directory) does not exist")
        }
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try writeContents(to: temporary, options: options)
            guard rename(temporary, path) == 0 else {
                throw AnnDataError.writeFailed(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            if case AnnDataError.hdf5(_, let field, let operation) = error {
                throw AnnDataError.writeFailed(path: path, reason: "HDF5 failed to \(operation) '\(field)'")
            }
            throw error
        }
    }

    /// Writes everything into `file`; every HDF5 handle is closed when this returns.
    private func writeContents(to file: String, options: WriteOptions) throws {
        let access = try H5Handle(H5Pcreate(pk_h5p_file_access()), .propertyList, path: file, field: "/", operation: "create")
        H5Pset_fclose_degree(access.id, H5F_CLOSE_STRONG)
        let creation = try H5Handle(H5Pcreate(pk_h5p_file_create()), .propertyList, path: file, field: "/", operation: "create")
        try h5check(H5Pset_obj_track_times(creation.id, false), path: file, field: "/", "create")
        let handle = try H5Handle(
            H5Fcreate(file, pk_h5f_acc_trunc(), creation.id, access.id), .file,
            path: file, field: "/", operation: "create")
        let root = H5Group(
            handle: try H5Handle(
                H5Gopen2(handle.id, "/", H5.defaultProperties), .group, path: file,
                field: "/", operation: "open group"), file: file, name: "")
        let writer = H5Writer(file: file, gzipLevel: options.gzipLevel)
        try writer.setEncoding(root, "anndata", "0.1.0")
        try writer.writeFrame(obs, in: root, "obs")
        try writer.writeFrame(variables, in: root, "var")
        if let X {
            if options.denseX {
                try writer.writeDense(X, in: root, "X", progress: options.progress)
            } else {
                try writer.writeCSR(X, in: root, "X", progress: options.progress)
            }
        }
        let layerGroup = try writer.createGroup(in: root, "layers", encoding: "dict", version: "0.1.0")
        for name in layers.keys.sorted() { try writer.writeCSR(layers[name]!, in: layerGroup, name, progress: nil) }
        let obsmGroup = try writer.createGroup(in: root, "obsm", encoding: "dict", version: "0.1.0")
        for name in obsm.keys.sorted() {
            let array = obsm[name]!
            try writer.writeArray(
                in: obsmGroup, name, array.storage, dims: [array.rows, array.columns],
                memType: pk_h5t_native_double())
        }
        for name in ["varm", "obsp", "varp"] { _ = try writer.createGroup(in: root, name, encoding: "dict", version: "0.1.0") }
        let unsGroup = try writer.createGroup(in: root, "uns", encoding: "dict", version: "0.1.0")
        for key in uns.keys.sorted() { try writer.writeUns(uns[key]!, in: unsGroup, key) }
        try h5check(H5Fflush(handle.id, H5F_SCOPE_GLOBAL), path: file, field: "/", "flush")
    }
}

extension H5Writer {
    /// Writes a dataframe with anndata's `dataframe` encoding.
    func writeFrame(_ frame: DataFrame, in parent: H5Group, _ name: String) throws {
        let group = try createGroup(in: parent, name, encoding: "dataframe", version: "0.2.0")
        let indexName = frame.columnNames.contains(frame.indexName) ? "_index" : frame.indexName
        try setStringAttribute(group, "_index", indexName)
        try setStringArrayAttribute(group, "column-order", frame.columnNames)
        try writeStrings(in: group, indexName, frame.index)
        for column in frame.columnNames { try writeColumn(frame[column]!, in: group, column) }
    }

    private func writeColumn(_ column: Column, in group: H5Group, _ name: String) throws {
        switch column {
        case .numeric(let values, let type):
            let dims = [values.count]
            switch type {
            case .float32: try writeArray(in: group, name, values.map { Float($0) }, dims: dims, memType: pk_h5t_native_float())
            case .float64: try writeArray(in: group, name, values, dims: dims, memType: pk_h5t_native_double())
            case .int64, .uint32, .uint64:
                try writeArray(in: group, name, values.map { Int64($0) }, dims: dims, memType: pk_h5t_native_int64())
            case .int8, .int16, .int32, .uint8, .uint16:
                try writeArray(in: group, name, values.map { Int32($0) }, dims: dims, memType: pk_h5t_native_int32())
            }
        case .boolean(let values):
            try writeBools(in: group, name, values)
        case .string(let values):
            try writeStrings(in: group, name, values)
        case .categorical(let categorical):
            let sub = try createGroup(in: group, name, encoding: "categorical", version: "0.2.0")
            try setBoolAttribute(sub, "ordered", categorical.ordered)
            try writeStrings(in: sub, "categories", categorical.categories)
            let n = categorical.categories.count
            if n < Int(Int8.max) {
                try writeArray(
                    in: sub, "codes", categorical.codes.map { Int8($0) }, dims: [categorical.codes.count],
                    memType: pk_h5t_native_int8())
            } else if n < Int(Int16.max) {
                try writeArray(
                    in: sub, "codes", categorical.codes.map { Int16($0) }, dims: [categorical.codes.count],
                    memType: pk_h5t_native_int16())
            } else {
                try writeArray(in: sub, "codes", categorical.codes, dims: [categorical.codes.count], memType: pk_h5t_native_int32())
            }
        case .nullableInteger(let values, let missing):
            let sub = try createGroup(in: group, name, encoding: "nullable-integer", version: "0.1.0")
            try writeArray(in: sub, "values", values, dims: [values.count], memType: pk_h5t_native_int64())
            try writeBools(in: sub, "mask", missing)
        case .nullableBoolean(let values, let missing):
            let sub = try createGroup(in: group, name, encoding: "nullable-boolean", version: "0.1.0")
            try writeBools(in: sub, "values", values)
            try writeBools(in: sub, "mask", missing)
        case .nullableString(let values, let missing):
            let sub = try createGroup(in: group, name, encoding: "nullable-string-array", version: "0.1.0")
            try writeStrings(in: sub, "values", values)
            try writeBools(in: sub, "mask", missing)
        }
    }

    /// Writes a CSR matrix with anndata's `csr_matrix` encoding. `indices` and `indptr` share one integer type, as
    /// scipy writes them: int32 while the non-zeros fit, else int64 for both. (int32 indices beside int64 indptr
    /// made scikit-learn's sparse kernels, and so `sc.pp.pca`, fail on our files.)
    func writeCSR(_ matrix: CSRMatrix, in parent: H5Group, _ name: String, progress: ProgressHandler?) throws {
        let group = try createGroup(in: parent, name, encoding: "csr_matrix", version: "0.1.0")
        try setIntegerArrayAttribute(group, "shape", [Int64(matrix.rows), Int64(matrix.columns)])
        try writeArray(in: group, "data", matrix.values, dims: [matrix.nonZeroCount], memType: pk_h5t_native_float())
        let nnz = [Int(matrix.nonZeroCount)]
        if matrix.nonZeroCount <= Int(Int32.max) {
            try writeArray(in: group, "indices", matrix.columnIndices, dims: nnz, memType: pk_h5t_native_int32())
            try writeArray(
                in: group, "indptr", matrix.rowPointers.map { Int32($0) }, dims: [matrix.rows + 1], memType: pk_h5t_native_int32())
        } else {
            try writeArray(in: group, "indices", matrix.columnIndices.map { Int64($0) }, dims: nnz, memType: pk_h5t_native_int64())
            try writeArray(in: group, "indptr", matrix.rowPointers, dims: [matrix.rows + 1], memType: pk_h5t_native_int64())
        }
        progress?(matrix.rows, matrix.rows)
    }

    /// Writes a CSR matrix as a dense float32 array, densifying one block of rows at a time.
    func writeDense(_ matrix: CSRMatrix, in parent: H5Group, _ name: String, progress: ProgressHandler?) throws {
        let dataset = try createDataset(
            in: parent, name, type: pk_h5t_native_float(), dims: [matrix.rows, matrix.columns],
            compress: true)
        let blockRows = max(1, readBlockEntries / max(matrix.columns, 1))
        var first = 0
        while first < matrix.rows, matrix.columns > 0 {
            let count = min(blockRows, matrix.rows - first)
            var block = [Float](repeating: 0, count: count * matrix.columns)
            for r in 0..<count {
                for k in matrix.range(ofRow: first + r) {
                    block[r * matrix.columns + Int(matrix.columnIndices[k])] = matrix.values[k]
                }
            }
            let fileSpace = try H5Handle(
                H5Dget_space(dataset.handle.id), .dataspace, path: file, field: dataset.name,
                operation: "write")
            var start = [hsize_t(first), 0], counts = [hsize_t(count), hsize_t(matrix.columns)]
            try h5check(
                H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &counts, nil),
                path: file, field: dataset.name, "select part of")
            let memSpace = try H5Handle(
                H5Screate_simple(2, &counts, nil), .dataspace, path: file, field: dataset.name,
                operation: "write")
            try h5check(
                H5Dwrite(dataset.handle.id, pk_h5t_native_float(), memSpace.id, fileSpace.id, H5.defaultProperties, block),
                path: file, field: dataset.name, "write")
            first += count
            progress?(first, matrix.rows)
        }
        try setEncoding(dataset, "array", "0.2.0")
    }

    /// Writes one `uns` value with the matching anndata encoding.
    func writeUns(_ value: UnsValue, in parent: H5Group, _ name: String) throws {
        switch value {
        case .dictionary(let entries):
            let group = try createGroup(in: parent, name, encoding: "dict", version: "0.1.0")
            for key in entries.keys.sorted() { try writeUns(entries[key]!, in: group, key) }
        case .string(let text):
            try writeStrings(in: parent, name, [text], scalar: true)
        case .number(let number):
            let dataset = try createDataset(in: parent, name, type: pk_h5t_native_double(), dims: [], compress: false)
            var value = number
            try h5check(
                H5Dwrite(dataset.handle.id, pk_h5t_native_double(), H5.all, H5.all, H5.defaultProperties, &value),
                path: file, field: dataset.name, "write")
            try setEncoding(dataset, "numeric-scalar", "0.2.0")
        case .strings(let texts):
            try writeStrings(in: parent, name, texts)
        case .array(let values, let shape):
            try writeArray(in: parent, name, values, dims: shape, memType: pk_h5t_native_double())
        }
    }
}
