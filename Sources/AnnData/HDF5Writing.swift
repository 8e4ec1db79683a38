import CHDF5

/// Creation of groups, datasets and attributes with anndata's encoding metadata.
struct H5Writer {
    let file: String
    /// gzip level for numeric arrays (nil: uncompressed).
    let gzipLevel: Int?

    func createGroup(in parent: H5Group, _ name: String, encoding: String? = nil, version: String? = nil) throws -> H5Group {
        // No modification times in object headers, so the same content gives byte-identical files.
        let properties = try H5Handle(
            H5Pcreate(pk_h5p_group_create()), .propertyList, path: file,
            field: parent.childPath(name), operation: "create group")
        try h5check(H5Pset_obj_track_times(properties.id, false), path: file, field: parent.childPath(name), "create group")
        let id = H5Gcreate2(parent.handle.id, name, H5.defaultProperties, properties.id, H5.defaultProperties)
        let group = H5Group(
            handle: try H5Handle(id, .group, path: file, field: parent.childPath(name), operation: "create group"),
            file: file, name: parent.childPath(name))
        if let encoding, let version { try setEncoding(group, encoding, version) }
        return group
    }

    func setEncoding(_ object: some H5Object, _ encoding: String, _ version: String) throws {
        try setStringAttribute(object, "encoding-type", encoding)
        try setStringAttribute(object, "encoding-version", version)
    }

    /// A scalar UTF-8 variable-length string attribute (what h5py writes for a Python `str`).
    func setStringAttribute(_ object: some H5Object, _ name: String, _ value: String) throws {
        try writeAttribute(object, name, strings: [value], scalar: true)
    }

    /// A one-dimensional string-array attribute.
    func setStringArrayAttribute(_ object: some H5Object, _ name: String, _ values: [String]) throws {
        try writeAttribute(object, name, strings: values, scalar: false)
    }

    private func writeAttribute(_ object: some H5Object, _ name: String, strings: [String], scalar: Bool) throws {
        let field = "\(object.name)@\(name)"
        let type = try stringType(field: field)
        var dims = [hsize_t(strings.count)]
        let space = try H5Handle(
            scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil), .dataspace,
            path: file, field: field, operation: "create attribute")
        let attr = try H5Handle(
            H5Acreate2(object.handle.id, name, type.id, space.id, H5.defaultProperties, H5.defaultProperties),
            .attribute, path: file, field: field, operation: "create attribute")
        guard !strings.isEmpty else { return }
        try withCStringPointers(strings) { pointers in
            try h5check(H5Awrite(attr.id, type.id, pointers), path: file, field: field, "write attribute")
        }
    }

    /// A boolean attribute stored as h5py does (an enum FALSE/TRUE over int8).
    func setBoolAttribute(_ object: some H5Object, _ name: String, _ value: Bool) throws {
        let field = "\(object.name)@\(name)"
        let type = try boolType(field: field)
        let space = try H5Handle(H5Screate(H5S_SCALAR), .dataspace, path: file, field: field, operation: "create attribute")
        let attr = try H5Handle(
            H5Acreate2(object.handle.id, name, type.id, space.id, H5.defaultProperties, H5.defaultProperties),
            .attribute, path: file, field: field, operation: "create attribute")
        var byte: Int8 = value ? 1 : 0
        try h5check(H5Awrite(attr.id, type.id, &byte), path: file, field: field, "write attribute")
    }

    /// An int64 array attribute (e.g. a sparse matrix's `shape`).
    func setIntegerArrayAttribute(_ object: some H5Object, _ name: String, _ values: [Int64]) throws {
        let field = "\(object.name)@\(name)"
        var dims = [hsize_t(values.count)]
        let space = try H5Handle(H5Screate_simple(1, &dims, nil), .dataspace, path: file, field: field, operation: "create attribute")
        let attr = try H5Handle(
            H5Acreate2(
                object.handle.id, name, pk_h5t_native_int64(), space.id, H5.defaultProperties,
                H5.defaultProperties), .attribute, path: file, field: field, operation: "create attribute")
        try h5check(H5Awrite(attr.id, pk_h5t_native_int64(), values), path: file, field: field, "write attribute")
    }

    /// Creates a dataset of `dims` (empty: scalar) with file type `type`, chunked and gzip-compressed when
    /// `compress` is set, the array is non-empty and a gzip level was chosen.
    func createDataset(in parent: H5Group, _ name: String, type: hid_t, dims: [Int], compress: Bool) throws -> H5Dataset {
        let field = parent.childPath(name)
        var sizes = dims.map { hsize_t($0) }
        let space = try H5Handle(
            dims.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), &sizes, nil),
            .dataspace, path: file, field: field, operation: "create dataset")
        let properties = try H5Handle(
            H5Pcreate(pk_h5p_dataset_create()), .propertyList, path: file, field: field,
            operation: "create dataset")
        try h5check(H5Pset_obj_track_times(properties.id, false), path: file, field: field, "create dataset")
        if compress, let level = gzipLevel, !dims.isEmpty, dims.allSatisfy({ $0 > 0 }) {
            var chunk = sizes
            let rowBytes = dims.dropFirst().reduce(1, *) * Int(H5Tget_size(type))
            chunk[0] = hsize_t(max(1, min(dims[0], (1 << 20) / max(rowBytes, 1))))
            try h5check(H5Pset_chunk(properties.id, Int32(chunk.count), &chunk), path: file, field: field, "chunk")
            try h5check(H5Pset_deflate(properties.id, UInt32(level)), path: file, field: field, "compress")
        }
        let id = H5Dcreate2(parent.handle.id, name, type, space.id, H5.defaultProperties, properties.id, H5.defaultProperties)
        return H5Dataset(
            handle: try H5Handle(id, .dataset, path: file, field: field, operation: "create dataset"),
            file: file, name: field)
    }

    /// Writes a numeric array with anndata's `array` encoding; `memType` describes `values`' elements.
    func writeArray<T>(
        in parent: H5Group, _ name: String, _ values: [T], dims: [Int], memType: hid_t,
        compress: Bool = true
    ) throws {
        let dataset = try createDataset(in: parent, name, type: memType, dims: dims, compress: compress)
        if !values.isEmpty {
            try values.withUnsafeBytes { raw in
                try h5check(
                    H5Dwrite(dataset.handle.id, memType, H5.all, H5.all, H5.defaultProperties, raw.baseAddress),
                    path: file, field: dataset.name, "write")
            }
        }
        try setEncoding(dataset, "array", "0.2.0")
    }

    /// Writes booleans as h5py does, with anndata's `array` encoding.
    func writeBools(in parent: H5Group, _ name: String, _ values: [Bool]) throws {
        let type = try boolType(field: parent.childPath(name))
        try writeArray(
            in: parent, name, values.map { Int8($0 ? 1 : 0) }, dims: [values.count], memType: type.id,
            compress: false)
    }

    /// Writes UTF-8 strings with anndata's `string-array` encoding (or `string` for a scalar).
    func writeStrings(in parent: H5Group, _ name: String, _ values: [String], scalar: Bool = false) throws {
        let type = try stringType(field: parent.childPath(name))
        let dataset = try createDataset(in: parent, name, type: type.id, dims: scalar ? [] : [values.count], compress: false)
        if !values.isEmpty {
            try withCStringPointers(values) { pointers in
                try h5check(
                    H5Dwrite(dataset.handle.id, type.id, H5.all, H5.all, H5.defaultProperties, pointers),
                    path: file, field: dataset.name, "write")
            }
        }
        try setEncoding(dataset, scalar ? "string" : "string-array", "0.2.0")
    }

    func stringType(field: String) throws -> H5Handle {
        let type = try H5Handle(H5Tcopy(pk_h5t_c_s1()), .datatype, path: file, field: field, operation: "make string type for")
        try h5check(H5Tset_size(type.id, H5.variableSize), path: file, field: field, "make string type for")
        try h5check(H5Tset_cset(type.id, H5T_CSET_UTF8), path: file, field: field, "make string type for")
        return type
    }

    func boolType(field: String) throws -> H5Handle {
        let type = try H5Handle(
            H5Tenum_create(pk_h5t_native_int8()), .datatype, path: file, field: field,
            operation: "make bool type for")
        var no: Int8 = 0, yes: Int8 = 1
        try h5check(H5Tenum_insert(type.id, "FALSE", &no), path: file, field: field, "make bool type for")
        try h5check(H5Tenum_insert(type.id, "TRUE", &yes), path: file, field: field, "make bool type for")
        return type
    }

    /// Calls `body` with a pointer to an array of NUL-terminated UTF-8 strings, valid only during the call.
    private func withCStringPointers(_ strings: [String], _ body: (UnsafeRawPointer) throws -> Void) throws {
        var bytes: [CChar] = []
        var offsets: [Int] = []
        for s in strings {
            offsets.append(bytes.count)
            bytes.append(contentsOf: s.utf8CString)
        }
        try bytes.withUnsafeBufferPointer { base in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { base.baseAddress! + $0 }
            try pointers.withUnsafeBytes { try body($0.baseAddress!) }
        }
    }
}
