import CHDF5

/// Touches every object of an HDF5 file through the same libhdf5 calls the reader makes, so that a file that
/// would crash libhdf5 crashes here first, inside `HDF5Isolation`'s helper process.
///
/// It opens every group and dataset, reads every attribute as the reader does, reads every string, boolean
/// and small numeric dataset whole (variable-length strings are where most corrupt files crash libhdf5 1.10),
/// reads the first and last element of large numeric datasets and looks up every one of their chunks by
/// coordinate (the B-tree searches a full read performs), and closes the file. It never throws: an error is
/// the reader's to report, with its own message; only a crash is the walk's finding.
struct HDF5Walk {
    /// The file to walk.
    let path: String
    /// Called with each object's path (`obs/_index`, `X@shape`) before libhdf5 touches it.
    let announce: (String) -> Void

    /// Groups nested deeper than this are not followed (a hard-link cycle would otherwise never end).
    static let maximumDepth = 32
    /// At most this many objects are visited.
    static let maximumObjects = 200_000
    /// Numeric datasets up to this many bytes in memory are read whole.
    static let wholeReadBytes = 16 << 20

    /// Walks the file; returns when done or when the object budget is spent.
    func run() {
        var budget = Self.maximumObjects
        announce("/")
        guard H5Fis_hdf5(path) > 0 else { return }
        guard
            let file = try? H5Handle(
                H5Fopen(path, pk_h5f_acc_rdonly(), H5.defaultProperties), .file,
                path: path, field: "/", operation: "open"),
            let root = try? H5Handle(
                H5Gopen2(file.id, "/", H5.defaultProperties), .group,
                path: path, field: "/", operation: "open group")
        else { return }
        walkGroup(H5Group(handle: root, file: path, name: ""), depth: 0, budget: &budget)
        announce("/ (closing the file)")
    }

    private func walkGroup(_ group: H5Group, depth: Int, budget: inout Int) {
        walkAttributes(group)
        _ = try? group.encodingType()
        guard depth < Self.maximumDepth, let names = try? group.memberNames() else { return }
        for child in names {
            budget -= 1
            guard budget > 0 else { return }
            announce(group.childPath(child))
            switch group.isGroup(child) {
            case true?:
                if let inner = try? group.group(child) { walkGroup(inner, depth: depth + 1, budget: &budget) }
            case false?:
                if let dataset = try? group.dataset(child) { walkDataset(dataset) }
            case nil:
                continue
            }
        }
    }

    private func walkAttributes(_ object: some H5Object) {
        let count = pk_h5_attribute_count(object.handle.id)
        guard count > 0 else { return }
        for index in 0..<count {
            let length = H5Aget_name_by_idx(
                object.handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), nil, 0, H5.defaultProperties)
            guard length >= 0 else { continue }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Aget_name_by_idx(
                object.handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), &buffer, buffer.count,
                H5.defaultProperties)
            let name = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            announce("\(object.name)@\(name)")
            if (try? object.stringArrayAttribute(name)) == nil { _ = try? object.integerArrayAttribute(name) }
        }
    }

    private func walkDataset(_ dataset: H5Dataset) {
        walkAttributes(dataset)
        _ = try? dataset.encodingType()
        announce(dataset.name)
        // A count the reader refuses (overflowing, or beyond memory) is not walked: the reader never reads it.
        guard let type = try? dataset.elementType(), let shape = try? dataset.shape(), let count = try? dataset.elementCount()
        else { return }
        switch type {
        case .string:
            _ = try? dataset.readStrings()
        case .boolean:
            _ = try? dataset.readBools()
        case .integer, .float:
            // anndata 0.7's categorical codes point to their categories.
            let categories = pk_h5_open_referenced(dataset.handle.id, "categories")
            if categories >= 0 {
                if let target = try? H5Handle(categories, .dataset, path: dataset.file, field: dataset.name, operation: "open") {
                    _ = try? H5Dataset(handle: target, file: dataset.file, name: dataset.name + "@categories").readStrings()
                }
            }
            if count * 8 <= Self.wholeReadBytes {
                _ = try? dataset.readAll(as: pk_h5t_native_double(), Double.self)
            } else {
                readEnds(dataset, shape: shape)
                lookUpChunks(dataset, shape: shape)
            }
        case .other("compound"):
            // anndata < 0.7's dataframes: each member as the reader reads it.
            for member in (try? dataset.compoundMembers()) ?? [] { _ = try? dataset.readCompoundMember(member.name) }
        case .other:
            readWhole(dataset, count: count)
        }
    }

    /// Reads the first and the last element.
    private func readEnds(_ dataset: H5Dataset, shape: [Int]) {
        guard !shape.isEmpty, !shape.contains(0) else { return }
        var value = 0.0
        for start in [shape.map { _ in 0 }, shape.map { $0 - 1 }] {
            try? dataset.readHyperslab(
                start: start, count: shape.map { _ in 1 }, memType: pk_h5t_native_double(), into: &value)
        }
    }

    /// Looks up every chunk of a chunked dataset by its coordinates, as a full read's B-tree searches do.
    private func lookUpChunks(_ dataset: H5Dataset, shape: [Int]) {
        guard
            let plist = try? H5Handle(
                H5Dget_create_plist(dataset.handle.id), .propertyList, path: path, field: dataset.name,
                operation: "read the layout of"),
            H5Pget_layout(plist.id) == H5D_CHUNKED
        else { return }
        var chunk = [hsize_t](repeating: 0, count: shape.count)
        guard H5Pget_chunk(plist.id, Int32(shape.count), &chunk) == Int32(shape.count),
            !chunk.contains(0)
        else { return }
        var offset = [hsize_t](repeating: 0, count: shape.count)
        var mask: UInt32 = 0
        var address: haddr_t = 0
        var size: hsize_t = 0
        var lookups = 0
        while lookups < Self.maximumObjects * 10 {
            lookups += 1
            if lookups % 4096 == 0 { announce(dataset.name) }  // progress, for the parent's stall watchdog
            _ = H5Dget_chunk_info_by_coord(dataset.handle.id, &offset, &mask, &address, &size)
            // Next chunk in row-major order.
            var axis = shape.count - 1
            while axis >= 0 {
                offset[axis] += chunk[axis]
                if offset[axis] < hsize_t(shape[axis]) { break }
                offset[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// Reads a dataset of another class (compound, array, variable-length …) whole in its native memory type,
    /// then frees what libhdf5 allocated for variable-length members.
    private func readWhole(_ dataset: H5Dataset, count: Int) {
        guard count > 0,
            let type = try? H5Handle(
                H5Dget_type(dataset.handle.id), .datatype, path: path, field: dataset.name, operation: "read type of"),
            let native = try? H5Handle(
                H5Tget_native_type(type.id, H5T_DIR_ASCEND), .datatype, path: path, field: dataset.name,
                operation: "read type of"),
            let space = try? H5Handle(
                H5Dget_space(dataset.handle.id), .dataspace, path: path, field: dataset.name,
                operation: "read shape of")
        else { return }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(1, H5Tget_size(native.id)))
        guard !overflow, bytes <= 1 << 32 else { return }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        if H5Dread(dataset.handle.id, native.id, H5.all, H5.all, H5.defaultProperties, buffer) >= 0 {
            _ = pk_h5_reclaim_vlen(native.id, space.id, buffer)
        }
    }
}
