import CHDF5
import LinearAlgebra
import Support

/// Entries read per HDF5 call when streaming a sparse matrix (bounds the temporary memory of a read).
let readBlockEntries = 1 << 22

/// Position of the first index outside `0 ..< limit`, or nil.
func firstOutOfRange(_ indices: UnsafeBufferPointer<Int32>, limit: Int) -> Int? {
    let bound = UInt32(truncatingIfNeeded: limit)
    var bad = false
    for v in indices { bad = bad || UInt32(bitPattern: v) >= bound }  // branch-free scan; negatives wrap high
    return bad ? indices.firstIndex { $0 < 0 || Int($0) >= limit } : nil
}

extension H5ADFile {
    /// Reads `X` or a layer as CSR (`Float32` values, `Int32` indices), whatever its encoding on disk:
    /// CSR is streamed in blocks straight into the final arrays; CSC is converted in two streamed passes;
    /// dense arrays are read in row blocks and sparsified. Rows come out with ascending, unique columns and
    /// without explicit zeros.
    public func readMatrix(_ source: MatrixSource, progress: ProgressHandler? = nil) throws -> CSRMatrix {
        let (parent, key) = try matrixLocation(source)
        guard let isGroup = parent.isGroup(key) else {
            throw AnnDataError.missingField(
                path: path, field: source.description,
                available: (try? parent.memberNames()) ?? [])
        }
        if !isGroup { return try readDenseAsCSR(try parent.dataset(key), progress: progress) }
        let group = try parent.group(key)
        let encoding = try group.encodingType() ?? (try group.stringAttribute("h5sparse_format")).map { "\($0)_matrix" }
        let shape = try sparseShape(group)
        switch encoding {
        case "csr_matrix": return try readCSR(group, rows: shape.rows, columns: shape.columns, progress: progress)
        case "csc_matrix": return try readCSC(group, rows: shape.rows, columns: shape.columns, progress: progress)
        default: throw AnnDataError.unsupportedEncoding(path: path, field: group.name, encoding: encoding ?? "(none)")
        }
    }

    /// The matrix's shape without reading it.
    public func matrixShape(_ source: MatrixSource) throws -> (rows: Int, columns: Int) {
        let (parent, key) = try matrixLocation(source)
        if parent.isGroup(key) == true { return try sparseShape(try parent.group(key)) }
        let shape = try parent.dataset(key).shape()
        guard shape.count == 2 else {
            throw AnnDataError.malformed(path: path, field: source.description, reason: "expected a 2-D array")
        }
        return (shape[0], shape[1])
    }

    private func matrixLocation(_ source: MatrixSource) throws -> (H5Group, String) {
        switch source {
        case .x:
            guard root.contains("X") else {
                throw AnnDataError.malformed(path: path, field: "X", reason: "the file has no X (empty AnnData)")
            }
            return (root, "X")
        case .layer(let name):
            guard root.isGroup("layers") == true else {
                throw AnnDataError.missingField(path: path, field: "layers/\(name)", available: [])
            }
            return (try root.group("layers"), name)
        }
    }

    private func sparseShape(_ group: H5Group) throws -> (rows: Int, columns: Int) {
        guard let shape = try group.integerArrayAttribute("shape") ?? group.integerArrayAttribute("h5sparse_shape"),
            shape.count == 2, shape[0] >= 0, shape[1] >= 0, shape[0] < Int64(Int32.max), shape[1] < Int64(Int32.max)
        else {
            throw AnnDataError.malformed(path: path, field: group.name, reason: "sparse matrix needs a 'shape' attribute of two sizes")
        }
        return (Int(shape[0]), Int(shape[1]))
    }

    /// Reads and checks a pointer array (`indptr`) of `count + 1` non-decreasing offsets ending at `nnz`.
    private func readPointers(_ group: H5Group, count: Int, nnz: Int) throws -> [Int64] {
        let dataset = try group.dataset("indptr")
        let entries = try dataset.elementCount()
        guard entries == count + 1 else {
            throw AnnDataError.malformed(path: path, field: dataset.name, reason: "has \(entries) entries, expected \(count + 1)")
        }
        let pointers = try dataset.readAll(as: pk_h5t_native_int64(), Int64.self)
        guard pointers.first == 0, pointers.last == Int64(nnz) else {
            throw AnnDataError.malformed(path: path, field: dataset.name, reason: "must start at 0 and end at nnz = \(nnz)")
        }
        for i in 0..<count where pointers[i] > pointers[i + 1] {
            throw AnnDataError.malformed(path: path, field: dataset.name, reason: "decreases at position \(i)")
        }
        return pointers
    }

    /// Opens `data` and `indices`, checking that they hold numbers and agree in length.
    private func sparseArrays(_ group: H5Group) throws -> (data: H5Dataset, indices: H5Dataset, nnz: Int) {
        let data = try group.dataset("data"), indices = try group.dataset("indices")
        let nnz = try data.elementCount()
        guard try indices.elementCount() == nnz else {
            throw AnnDataError.malformed(path: path, field: indices.name, reason: "length differs from data (\(nnz))")
        }
        switch try data.elementType() {
        case .integer, .float: break
        case let other: throw AnnDataError.unsupportedEncoding(path: path, field: data.name, encoding: "data of type \(other)")
        }
        guard case .integer = try indices.elementType() else {
            throw AnnDataError.malformed(path: path, field: indices.name, reason: "indices must be integers")
        }
        return (data, indices, nnz)
    }

    private func readCSR(_ group: H5Group, rows: Int, columns: Int, progress: ProgressHandler?) throws -> CSRMatrix {
        let (data, indices, nnz) = try sparseArrays(group)
        let pointers = try readPointers(group, count: rows, nnz: nnz)
        // HDF5 writes straight into the final arrays (no zero-fill, no staging copy), one block at a time.
        let columnIndices = try [Int32](unsafeUninitializedCapacity: nnz) { buffer, initialized in
            var offset = 0
            while offset < nnz {
                let count = min(readBlockEntries, nnz - offset)
                try indices.read1D(offset: offset, count: count, memType: pk_h5t_native_int32(), into: buffer.baseAddress! + offset)
                if let bad = firstOutOfRange(UnsafeBufferPointer(rebasing: buffer[offset..<(offset + count)]), limit: columns) {
                    throw AnnDataError.malformed(
                        path: path, field: indices.name,
                        reason: "index \(buffer[offset + bad]) at position \(offset + bad) is outside 0..<\(columns)")
                }
                offset += count
                progress?(offset / 2, nnz)
            }
            initialized = nnz
        }
        let values = try [Float](unsafeUninitializedCapacity: nnz) { buffer, initialized in
            var offset = 0
            while offset < nnz {
                let count = min(readBlockEntries, nnz - offset)
                try data.read1D(offset: offset, count: count, memType: pk_h5t_native_float(), into: buffer.baseAddress! + offset)
                offset += count
                progress?((nnz + offset) / 2, nnz)
            }
            initialized = nnz
        }
        var matrix = CSRMatrix(
            unchecked: rows, columns: columns, rowPointers: pointers, columnIndices: consume columnIndices,
            values: consume values)
        matrix.canonicalizeRows()
        return matrix
    }

    private func readCSC(_ group: H5Group, rows: Int, columns: Int, progress: ProgressHandler?) throws -> CSRMatrix {
        let (data, indices, nnz) = try sparseArrays(group)
        let columnPointers = try readPointers(group, count: columns, nnz: nnz)
        // Pass 1: count the entries of each row.
        var rowPointers = [Int64](repeating: 0, count: rows + 1)
        var block = [Int32](repeating: 0, count: min(readBlockEntries, nnz))
        var offset = 0
        while offset < nnz {
            let count = min(readBlockEntries, nnz - offset)
            try block.withUnsafeMutableBytes {
                try indices.read1D(offset: offset, count: count, memType: pk_h5t_native_int32(), into: $0.baseAddress!)
            }
            if let bad = block.withUnsafeBufferPointer({ firstOutOfRange(UnsafeBufferPointer(rebasing: $0[..<count]), limit: rows) }) {
                throw AnnDataError.malformed(
                    path: path, field: indices.name,
                    reason: "index \(block[bad]) at position \(offset + bad) is outside 0..<\(rows)")
            }
            for i in 0..<count { rowPointers[Int(block[i]) + 1] += 1 }
            offset += count
        }
        for r in 0..<rows { rowPointers[r + 1] += rowPointers[r] }
        // Pass 2: scatter each column's entries into its rows; columns ascend, so rows stay sorted.
        var next = rowPointers
        var columnIndices = [Int32](repeating: 0, count: nnz)
        var values = [Float](repeating: 0, count: nnz)
        var blockValues = [Float](repeating: 0, count: block.count)
        var column = 0
        offset = 0
        while offset < nnz {
            let count = min(readBlockEntries, nnz - offset)
            try block.withUnsafeMutableBytes {
                try indices.read1D(offset: offset, count: count, memType: pk_h5t_native_int32(), into: $0.baseAddress!)
            }
            try blockValues.withUnsafeMutableBytes {
                try data.read1D(offset: offset, count: count, memType: pk_h5t_native_float(), into: $0.baseAddress!)
            }
            for i in 0..<count {
                while Int64(offset + i) >= columnPointers[column + 1] { column += 1 }
                let r = Int(block[i])
                let destination = Int(next[r])
                columnIndices[destination] = Int32(column)
                values[destination] = blockValues[i]
                next[r] += 1
            }
            offset += count
            progress?(offset, nnz)
        }
        var matrix = CSRMatrix(
            unchecked: rows, columns: columns, rowPointers: rowPointers,
            columnIndices: consume columnIndices, values: consume values)
        matrix.canonicalizeRows()
        return matrix
    }

    private func readDenseAsCSR(_ dataset: H5Dataset, progress: ProgressHandler?) throws -> CSRMatrix {
        let shape = try dataset.shape()
        guard shape.count == 2 else {
            throw AnnDataError.malformed(path: path, field: dataset.name, reason: "expected a 2-D array, found rank \(shape.count)")
        }
        switch try dataset.elementType() {
        case .integer, .float: break
        case let other: throw AnnDataError.unsupportedEncoding(path: path, field: dataset.name, encoding: "array of \(other)")
        }
        let (rows, columns) = (shape[0], shape[1])
        _ = try dataset.elementCount()  // refuses a claimed size beyond this machine's memory before reading rows
        guard columns < Int(Int32.max) else {
            throw AnnDataError.malformed(path: path, field: dataset.name, reason: "has \(columns) columns, more than 2³¹ − 1")
        }
        var builder = CSRBuilder(columns: columns)
        let blockRows = max(1, readBlockEntries / max(columns, 1))
        var buffer = [Float](repeating: 0, count: min(blockRows, rows) * columns)
        var first = 0
        while first < rows {
            let count = min(blockRows, rows - first)
            try buffer.withUnsafeMutableBytes {
                try dataset.readRows(
                    firstRow: first, rowCount: count, columns: columns, memType: pk_h5t_native_float(),
                    into: $0.baseAddress!)
            }
            for r in 0..<count {
                for c in 0..<columns { builder.append(column: Int32(c), value: buffer[r * columns + c]) }
                builder.finishRow()
            }
            first += count
            progress?(first, rows)
        }
        return builder.build()
    }

    /// Reads `obsm[key]` as a dense `Double` matrix (a 1-D array becomes one column; a sparse one is densified,
    /// which suits obsm's low-dimensional arrays such as guide counts or embeddings).
    public func readObsm(_ key: String) throws -> Matrix<Double> {
        let group = try root.group("obsm")
        if group.isGroup(key) == true {
            let sub = try group.group(key)
            let encoding = try sub.encodingType() ?? "group"
            guard encoding == "csr_matrix" || encoding == "csc_matrix" else {
                throw AnnDataError.unsupportedEncoding(path: path, field: "obsm/\(key)", encoding: encoding)
            }
            let (rows, columns) = try sparseShape(sub)
            let sparse =
                encoding == "csr_matrix"
                ? try readCSR(sub, rows: rows, columns: columns, progress: nil)
                : try readCSC(sub, rows: rows, columns: columns, progress: nil)
            return sparse.toDense().converted(to: Double.self)
        }
        let dataset = try group.dataset(key)
        let shape = try dataset.shape()
        switch try dataset.elementType() {
        case .integer, .float, .boolean: break
        case let other: throw AnnDataError.unsupportedEncoding(path: path, field: dataset.name, encoding: "array of \(other)")
        }
        guard shape.count == 1 || shape.count == 2 else {
            throw AnnDataError.malformed(path: path, field: dataset.name, reason: "expected a 1-D or 2-D array")
        }
        let values = try dataset.readAll(as: pk_h5t_native_double(), Double.self)
        return Matrix(rows: shape[0], columns: shape.count == 2 ? shape[1] : 1, storage: values)
    }
}
