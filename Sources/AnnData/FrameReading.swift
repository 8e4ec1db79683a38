import CHDF5

extension H5ADFile {
    /// Reads the dataframe at `name` (`obs` or `var`): index and every column in `column-order`.
    public func readFrame(_ name: String) throws -> DataFrame {
        if root.isGroup(name) == false { return try readLegacyFrame(name) }
        let group = try root.group(name)
        let encoding = try group.encodingType()
        guard encoding == nil || encoding == "dataframe" else {
            throw AnnDataError.unsupportedEncoding(path: path, field: name, encoding: encoding!)
        }
        let indexName = try group.stringAttribute("_index") ?? "_index"
        let index = try readIndex(group.dataset(indexName))
        var frame = DataFrame(index: index, indexName: indexName)
        for column in try group.stringArrayAttribute("column-order") ?? [] {
            let values = try readColumn(group, column)
            guard values.count == index.count else {
                throw AnnDataError.malformed(
                    path: path, field: group.childPath(column),
                    reason: "has \(values.count) values but the index has \(index.count)")
            }
            try frame.setColumn(column, values)
        }
        return frame
    }

    private func readIndex(_ dataset: H5Dataset) throws -> [String] {
        switch try dataset.elementType() {
        case .string: return try dataset.readStrings()
        case .integer: return try dataset.readAll(as: pk_h5t_native_int64(), Int64.self).map { String($0) }
        case .float: return try dataset.readAll(as: pk_h5t_native_double(), Double.self).map { String($0) }
        default: throw AnnDataError.malformed(path: path, field: dataset.name, reason: "index must hold strings")
        }
    }

    /// Reads one column, whatever its anndata encoding.
    func readColumn(_ frame: H5Group, _ name: String) throws -> Column {
        guard let isGroup = frame.isGroup(name) else {
            throw AnnDataError.missingField(
                path: path, field: frame.childPath(name),
                available: (try? frame.memberNames()) ?? [])
        }
        if !isGroup {
            let dataset = try frame.dataset(name)
            return try readReferencedCategorical(dataset) ?? readArrayColumn(dataset)
        }
        let group = try frame.group(name)
        let encoding = try group.encodingType() ?? "(none)"
        switch encoding {
        case "categorical":
            let codesDataset = try group.dataset("codes")
            guard case .integer = try codesDataset.elementType() else {
                throw AnnDataError.malformed(path: path, field: codesDataset.name, reason: "codes must be integers")
            }
            let codes = try codesDataset.readAll(as: pk_h5t_native_int32(), Int32.self)
            let categories = try readColumn(group, "categories").labels().map { $0 ?? "" }
            let ordered = try group.boolAttribute("ordered") ?? false
            do {
                return .categorical(try Categorical(codes: codes, categories: categories, ordered: ordered))
            } catch {
                throw AnnDataError.malformed(path: path, field: group.name, reason: "\(error)")
            }
        case "nullable-integer":
            let values = try group.dataset("values").readAll(as: pk_h5t_native_int64(), Int64.self)
            let mask = try group.dataset("mask").readBools()
            return .nullableInteger(values, missing: try sameLength(mask, values.count, group))
        case "nullable-boolean":
            let values = try group.dataset("values").readBools()
            let mask = try group.dataset("mask").readBools()
            return .nullableBoolean(values, missing: try sameLength(mask, values.count, group))
        case "nullable-string-array":
            let values = try group.dataset("values").readStrings()
            let mask = try group.dataset("mask").readBools()
            return .nullableString(values, missing: try sameLength(mask, values.count, group))
        default:
            throw AnnDataError.unsupportedEncoding(path: path, field: group.name, encoding: encoding)
        }
    }

    private func sameLength(_ mask: [Bool], _ count: Int, _ group: H5Group) throws -> [Bool] {
        guard mask.count == count else {
            throw AnnDataError.malformed(path: path, field: group.name, reason: "mask and values differ in length")
        }
        return mask
    }

    private func readArrayColumn(_ dataset: H5Dataset) throws -> Column {
        let encoding = try dataset.encodingType()
        if let encoding, encoding != "array", encoding != "string-array" {
            throw AnnDataError.unsupportedEncoding(path: path, field: dataset.name, encoding: encoding)
        }
        guard try dataset.shape().count <= 1 else {
            throw AnnDataError.malformed(path: path, field: dataset.name, reason: "a column must be one-dimensional")
        }
        switch try dataset.elementType() {
        case .string: return .string(try dataset.readStrings())
        case .boolean: return .boolean(try dataset.readBools())
        case .integer(let signed, let bytes):
            return .numeric(try dataset.readAll(as: pk_h5t_native_double(), Double.self), NumericType(signed: signed, bytes: bytes))
        case .float(let bytes):
            return .numeric(try dataset.readAll(as: pk_h5t_native_double(), Double.self), bytes == 4 ? .float32 : .float64)
        case .other(let kind):
            throw AnnDataError.unsupportedEncoding(path: path, field: dataset.name, encoding: "array of \(kind)")
        }
    }
}
