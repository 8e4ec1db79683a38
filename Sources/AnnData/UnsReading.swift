import CHDF5

extension H5ADFile {
    /// Reads `uns[key]` if it holds supported contents (dicts, strings, numbers, numeric arrays); elements of
    /// other encodings inside a dict are skipped. Returns nil when the key is absent or unsupported.
    public func readUns(_ key: String) throws -> UnsValue? {
        guard root.isGroup("uns") == true else { return nil }
        return try readUnsElement(in: try root.group("uns"), key)
    }

    private func readUnsElement(in parent: H5Group, _ name: String) throws -> UnsValue? {
        guard let isGroup = parent.isGroup(name) else { return nil }
        if isGroup {
            let group = try parent.group(name)
            let encoding = try group.encodingType()
            guard encoding == nil || encoding == "dict" else { return nil }
            var entries: [String: UnsValue] = [:]
            for child in try group.memberNames() {
                if let value = try readUnsElement(in: group, child) { entries[child] = value }
            }
            return .dictionary(entries)
        }
        let dataset = try parent.dataset(name)
        let shape = try dataset.shape()
        switch try dataset.elementType() {
        case .string:
            let texts = try dataset.readStrings()
            return shape.isEmpty ? .string(texts.first ?? "") : .strings(texts)
        case .integer, .float, .boolean:
            let values = try dataset.readAll(as: pk_h5t_native_double(), Double.self)
            return shape.isEmpty ? .number(values.first ?? .nan) : .array(values, shape: shape)
        case .other:
            return nil
        }
    }
}
