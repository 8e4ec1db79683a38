import CHDF5

// The dataframe layouts of anndata before 0.8, which files in public repositories still use (scGen's PBMC data,
// for one) and anndata 0.12 still reads:
// - before 0.7, `obs` and `var` are one compound dataset each: its first member is the index, strings are
//   fixed-length bytes, booleans h5py enums, and a categorical column is a member of integer codes whose
//   categories are the string dataset `uns/<column>_categories` (taken when every code indexes it, as anndata's
//   `_clean_uns` does); X is a group marked `h5sparse_format` (read by `readMatrix`);
// - in 0.7, a categorical column is a dataset of integer codes whose `categories` attribute is an object reference
//   to its categories (`obs/__categories/<column>`).

extension H5ADFile {
    /// Reads an anndata < 0.7 dataframe: the compound dataset `name` (`obs` or `var`).
    func readLegacyFrame(_ name: String) throws -> DataFrame {
        let dataset = try root.dataset(name)
        let members = try dataset.compoundMembers()
        guard let indexMember = members.first else {
            throw AnnDataError.malformed(path: path, field: name, reason: "a compound dataframe without members")
        }
        let index = try dataset.readCompoundMember(indexMember.name).labels().map { $0 ?? "" }
        var frame = DataFrame(index: index, indexName: indexMember.name)
        let uns = root.isGroup("uns") == true ? try root.group("uns") : nil
        for member in members.dropFirst() {
            var column = try dataset.readCompoundMember(member.name)
            if case .numeric(let codes, let type) = column, type.isInteger, let uns,
                uns.isGroup("\(member.name)_categories") == false
            {
                let categories = try uns.dataset("\(member.name)_categories").readStrings()
                if codes.allSatisfy({ $0 >= 0 && $0 < Double(categories.count) }) {
                    do {
                        column = .categorical(
                            try Categorical(codes: codes.map { Int32($0) }, categories: categories, ordered: false))
                    } catch {
                        throw AnnDataError.malformed(path: path, field: "uns/\(member.name)_categories", reason: "\(error)")
                    }
                }
            }
            try frame.setColumn(member.name, column)
        }
        return frame
    }

    /// Reads an anndata 0.7 categorical column: integer codes with a `categories` reference, or nil when `dataset`
    /// has no such attribute.
    func readReferencedCategorical(_ dataset: H5Dataset) throws -> Column? {
        let id = pk_h5_open_referenced(dataset.handle.id, "categories")
        guard id >= 0 else { return nil }
        let target = H5Dataset(
            handle: try H5Handle(id, .dataset, path: path, field: dataset.name + "@categories", operation: "open"),
            file: path, name: dataset.name + "@categories")
        guard case .integer = try dataset.elementType() else {
            throw AnnDataError.malformed(path: path, field: dataset.name, reason: "codes of a categorical must be integers")
        }
        let codes = try dataset.readAll(as: pk_h5t_native_int32(), Int32.self)
        do {
            return .categorical(try Categorical(codes: codes, categories: try target.readStrings(), ordered: false))
        } catch let error as AnnDataError {
            throw error
        } catch {
            throw AnnDataError.malformed(path: path, field: dataset.name, reason: "\(error)")
        }
    }
}

extension H5Dataset {
    /// The members of a compound dataset, in order, with their element types.
    func compoundMembers() throws -> [(name: String, type: H5ElementType)] {
        let type = try H5Handle(H5Dget_type(handle.id), .datatype, path: file, field: name, operation: "read type of")
        guard H5Tget_class(type.id) == H5T_COMPOUND else {
            throw AnnDataError.malformed(path: file, field: name, reason: "expected a dataframe (a group, or a compound dataset)")
        }
        let count = H5Tget_nmembers(type.id)
        guard count >= 0 else { throw AnnDataError.hdf5(path: file, field: name, operation: "read the members of") }
        return try (0..<UInt32(count)).map { i in
            guard let cName = H5Tget_member_name(type.id, i) else {
                throw AnnDataError.hdf5(path: file, field: name, operation: "read the members of")
            }
            defer { H5free_memory(cName) }
            let member = try H5Handle(
                H5Tget_member_type(type.id, i), .datatype, path: file, field: name, operation: "read the members of")
            return (String(cString: cName), H5ElementType(member.id))
        }
    }

    /// Reads member `member` of a compound dataset as a column: strings, numbers or booleans.
    func readCompoundMember(_ member: String) throws -> Column {
        let field = "\(name)['\(member)']"
        let fileType = try H5Handle(H5Dget_type(handle.id), .datatype, path: file, field: field, operation: "read type of")
        let position = H5Tget_member_index(fileType.id, member)
        guard position >= 0 else { throw AnnDataError.missingField(path: file, field: field, available: []) }
        let memberType = try H5Handle(
            H5Tget_member_type(fileType.id, UInt32(position)), .datatype, path: file, field: field, operation: "read type of")
        let count = try elementCount()
        /// Reads the member into `buffer` through a compound memory type holding only it, as `memType`.
        func read(_ memType: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t {
            let wrapper = H5Tcreate(H5T_COMPOUND, H5Tget_size(memType))
            guard wrapper >= 0 else { return -1 }
            defer { H5Tclose(wrapper) }
            guard H5Tinsert(wrapper, member, 0, memType) >= 0 else { return -1 }
            return H5Dread(handle.id, wrapper, H5.all, H5.all, H5.defaultProperties, buffer)
        }
        /// The member read as `memType` into `count` elements of `T`.
        func values<T: Numeric>(_ memType: hid_t, _: T.Type) throws -> [T] {
            var out = [T](repeating: 0, count: count)
            if count > 0 {
                try out.withUnsafeMutableBytes { try h5check(read(memType, $0.baseAddress!), path: file, field: field, "read") }
            }
            return out
        }
        switch H5ElementType(memberType.id) {
        case .string:
            return .string(try readStrings(fileType: memberType.id, count: count, field: field, read: read))
        case .boolean:
            return .boolean(try values(pk_h5t_native_int8(), Int8.self).map { $0 != 0 })
        case .integer(let signed, let bytes):
            return .numeric(try values(pk_h5t_native_double(), Double.self), NumericType(signed: signed, bytes: bytes))
        case .float(let bytes):
            return .numeric(try values(pk_h5t_native_double(), Double.self), bytes == 4 ? .float32 : .float64)
        case .other(let what):
            throw AnnDataError.unsupportedEncoding(path: file, field: field, encoding: "compound member of \(what)")
        }
    }
}
