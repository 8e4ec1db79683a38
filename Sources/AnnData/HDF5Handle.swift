import CHDF5

/// HDF5 constants that the C headers define through casts Swift cannot import.
enum H5 {
    static let defaultProperties: hid_t = 0  // H5P_DEFAULT
    static let all: hid_t = 0  // H5S_ALL
    static let variableSize: Int = -1  // H5T_VARIABLE, i.e. (size_t)-1

    /// Runs once: silences HDF5's own error printing and registers the LZF filter h5py writes.
    static let initialized: Bool = {
        pk_h5_silence_errors()
        LZFFilter.register()
        return true
    }()
}

/// The kind of HDF5 identifier a handle owns, which decides how it is closed.
enum HandleKind {
    case file, group, dataset, dataspace, datatype, attribute, propertyList, object
}

/// Owns one HDF5 identifier and closes it when released.
final class H5Handle {
    let id: hid_t
    let kind: HandleKind

    /// Wraps `id`; a negative id is turned into an error describing `operation` on `field` of `path`.
    init(_ id: hid_t, _ kind: HandleKind, path: String, field: String, operation: String) throws {
        guard id >= 0 else { throw AnnDataError.hdf5(path: path, field: field, operation: operation) }
        self.id = id
        self.kind = kind
    }

    deinit {
        switch kind {
        case .file: H5Fclose(id)
        case .group: H5Gclose(id)
        case .dataset: H5Dclose(id)
        case .dataspace: H5Sclose(id)
        case .datatype: H5Tclose(id)
        case .attribute: H5Aclose(id)
        case .propertyList: H5Pclose(id)
        case .object: H5Oclose(id)
        }
    }
}

/// Checks an HDF5 status code, throwing an error that names the file and field on failure.
@inline(__always)
func h5check(_ status: herr_t, path: String, field: String, _ operation: String) throws {
    if status < 0 { throw AnnDataError.hdf5(path: path, field: field, operation: operation) }
}
