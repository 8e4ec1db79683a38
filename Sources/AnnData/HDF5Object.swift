import CHDF5

/// The element type of an HDF5 dataset or attribute, as far as AnnData needs to know it.
enum H5ElementType: Equatable {
    case integer(signed: Bool, bytes: Int)
    case float(bytes: Int)
    case string
    /// h5py's boolean: an enum over a one-byte integer.
    case boolean
    case other(String)

    /// The kind of HDF5 datatype `type`.
    init(_ type: hid_t) {
        let size = Int(H5Tget_size(type))
        switch H5Tget_class(type) {
        case H5T_INTEGER: self = .integer(signed: H5Tget_sign(type) != H5T_SGN_NONE, bytes: size)
        case H5T_FLOAT: self = .float(bytes: size)
        case H5T_STRING: self = .string
        case H5T_ENUM where size == 1: self = .boolean
        case H5T_COMPOUND: self = .other("compound")
        default: self = .other("HDF5 class \(H5Tget_class(type).rawValue)")
        }
    }
}

/// A group or dataset of an open HDF5 file, with its path for error messages.
protocol H5Object {
    var handle: H5Handle { get }
    /// The file the object lives in.
    var file: String { get }
    /// The object's path inside the file (e.g. `obs/perturbation`).
    var name: String { get }
}

extension H5Object {
    /// Whether the object carries attribute `attribute`.
    func hasAttribute(_ attribute: String) -> Bool {
        H5Aexists(handle.id, attribute) > 0
    }

    private func openAttribute(_ attribute: String) throws -> H5Handle {
        try H5Handle(
            H5Aopen(handle.id, attribute, H5.defaultProperties), .attribute,
            path: file, field: "\(name)@\(attribute)", operation: "open attribute")
    }

    /// A string attribute (scalar, variable or fixed length), or nil when absent.
    func stringAttribute(_ attribute: String) throws -> String? {
        guard hasAttribute(attribute) else { return nil }
        let values = try stringArrayAttribute(attribute) ?? []
        return values.first
    }

    /// A string-array attribute, or nil when absent. A numeric empty array (as h5py writes for `[]`) reads as `[]`.
    func stringArrayAttribute(_ attribute: String) throws -> [String]? {
        guard hasAttribute(attribute) else { return nil }
        let attr = try openAttribute(attribute)
        let field = "\(name)@\(attribute)"
        let type = try H5Handle(H5Aget_type(attr.id), .datatype, path: file, field: field, operation: "read type of")
        let space = try H5Handle(H5Aget_space(attr.id), .dataspace, path: file, field: field, operation: "read shape of")
        let count = Int(H5Sget_simple_extent_npoints(space.id))
        guard H5Tget_class(type.id) == H5T_STRING else {
            if count == 0 { return [] }
            throw AnnDataError.malformed(path: file, field: field, reason: "expected a string attribute")
        }
        return try readStrings(fileType: type.id, count: count, field: field) { memType, buffer in
            H5Aread(attr.id, memType, buffer)
        }
    }

    /// A boolean attribute (h5py's enum bool or any integer), or nil when absent.
    func boolAttribute(_ attribute: String) throws -> Bool? {
        guard let values = try integerArrayAttribute(attribute) else { return nil }
        return (values.first ?? 0) != 0
    }

    /// An integer-array attribute (any integer or enum-over-integer type), or nil when absent.
    func integerArrayAttribute(_ attribute: String) throws -> [Int64]? {
        guard hasAttribute(attribute) else { return nil }
        let attr = try openAttribute(attribute)
        let field = "\(name)@\(attribute)"
        let type = try H5Handle(H5Aget_type(attr.id), .datatype, path: file, field: field, operation: "read type of")
        let space = try H5Handle(H5Aget_space(attr.id), .dataspace, path: file, field: field, operation: "read shape of")
        let count = Int(H5Sget_simple_extent_npoints(space.id))
        switch H5Tget_class(type.id) {
        case H5T_ENUM:
            let native = try H5Handle(
                H5Tget_native_type(type.id, H5T_DIR_ASCEND), .datatype,
                path: file, field: field, operation: "read type of")
            let size = H5Tget_size(native.id)
            guard size == 1 else { throw AnnDataError.malformed(path: file, field: field, reason: "unsupported enum") }
            var bytes = [Int8](repeating: 0, count: count)
            try h5check(H5Aread(attr.id, native.id, &bytes), path: file, field: field, "read")
            return bytes.map(Int64.init)
        case H5T_INTEGER, H5T_FLOAT:
            var values = [Int64](repeating: 0, count: count)
            try h5check(H5Aread(attr.id, pk_h5t_native_int64(), &values), path: file, field: field, "read")
            return values
        default:
            throw AnnDataError.malformed(path: file, field: field, reason: "expected an integer attribute")
        }
    }

    /// Reads `count` strings of file type `fileType` through `read(memType, buffer)`.
    func readStrings(
        fileType: hid_t, count: Int, field: String,
        read: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        if count == 0 { return [] }
        let memType = try H5Handle(H5Tcopy(fileType), .datatype, path: file, field: field, operation: "copy type of")
        if H5Tis_variable_str(fileType) > 0 {
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try pointers.withUnsafeMutableBytes { raw in
                try h5check(read(memType.id, raw.baseAddress!), path: file, field: field, "read strings of")
            }
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            var dims = [hsize_t(count)]
            let space = H5Screate_simple(1, &dims, nil)
            _ = pointers.withUnsafeMutableBytes { pk_h5_reclaim_vlen(memType.id, space, $0.baseAddress) }
            H5Sclose(space)
            return strings
        }
        let width = H5Tget_size(fileType)
        guard width > 0 else { return Array(repeating: "", count: count) }
        var bytes = [UInt8](repeating: 0, count: width * count)
        try bytes.withUnsafeMutableBytes { raw in
            try h5check(read(memType.id, raw.baseAddress!), path: file, field: field, "read strings of")
        }
        return (0..<count).map { i in
            var slice = bytes[(i * width)..<((i + 1) * width)]
            while let last = slice.last, last == 0 || last == 0x20 { slice = slice.dropLast() }
            return String(decoding: slice, as: UTF8.self)
        }
    }

    /// The `encoding-type` attribute anndata puts on every element, or nil.
    func encodingType() throws -> String? {
        try stringAttribute("encoding-type")
    }
}

/// A group of an open HDF5 file.
struct H5Group: H5Object {
    let handle: H5Handle
    let file: String
    let name: String

    /// Names of the links in this group, in name order.
    func memberNames() throws -> [String] {
        var info = H5G_info_t()
        try h5check(H5Gget_info(handle.id, &info), path: file, field: name, "list")
        var names: [String] = []
        for i in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, H5.defaultProperties)
            guard length >= 0 else { throw AnnDataError.hdf5(path: file, field: name, operation: "list") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, H5.defaultProperties)
            names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// Path of a child for messages.
    func childPath(_ child: String) -> String { name.isEmpty || name == "/" ? child : "\(name)/\(child)" }

    /// Whether this group holds a link called `child` that resolves to an object.
    func contains(_ child: String) -> Bool {
        H5Lexists(handle.id, child, H5.defaultProperties) > 0
            && H5Oexists_by_name(handle.id, child, H5.defaultProperties) > 0
    }

    /// Whether `child` is a group (`true`), a dataset (`false`) or absent / something else (nil).
    func isGroup(_ child: String) -> Bool? {
        guard contains(child) else { return nil }
        let object = H5Oopen(handle.id, child, H5.defaultProperties)
        guard object >= 0 else { return nil }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return true
        case H5I_DATASET: return false
        default: return nil
        }
    }

    /// Opens child group `child`; a missing child lists what is available.
    func group(_ child: String) throws -> H5Group {
        guard isGroup(child) == true else { throw try missing(child) }
        let id = H5Gopen2(handle.id, child, H5.defaultProperties)
        return H5Group(
            handle: try H5Handle(id, .group, path: file, field: childPath(child), operation: "open group"),
            file: file, name: childPath(child))
    }

    /// Opens child dataset `child`; a missing child lists what is available.
    func dataset(_ child: String) throws -> H5Dataset {
        guard isGroup(child) == false else { throw try missing(child) }
        let id = H5Dopen2(handle.id, child, H5.defaultProperties)
        return H5Dataset(
            handle: try H5Handle(id, .dataset, path: file, field: childPath(child), operation: "open dataset"),
            file: file, name: childPath(child))
    }

    private func missing(_ child: String) throws -> AnnDataError {
        if let kind = isGroup(child) {
            return .malformed(
                path: file, field: childPath(child),
                reason: kind
                    ? "expected a dataset, found a group"
                    : "expected a group, found a dataset")
        }
        return .missingField(path: file, field: childPath(child), available: (try? memberNames()) ?? [])
    }
}
