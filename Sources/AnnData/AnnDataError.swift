/// Everything that can go wrong reading or writing an `.h5ad` file. Each message names the file and the field.
public enum AnnDataError: Error, Equatable, CustomStringConvertible {
    /// The path does not exist.
    case fileNotFound(path: String)
    /// The file exists but is not HDF5.
    case notHDF5(path: String)
    /// HDF5, but without the structure of an AnnData file.
    case notAnnData(path: String, reason: String)
    /// An element uses an encoding this reader does not handle.
    case unsupportedEncoding(path: String, field: String, encoding: String)
    /// A required element is absent.
    case missingField(path: String, field: String, available: [String])
    /// An element is present but inconsistent (wrong shape, bad index, …).
    case malformed(path: String, field: String, reason: String)
    /// The HDF5 library reported a failure.
    case hdf5(path: String, field: String, operation: String)
    /// Reading the file crashed or hung libhdf5 in the isolated check (see `HDF5Isolation`); `field` is the object it was
    /// reading.
    case corrupt(path: String, field: String, reason: String)
    /// Writing failed; nothing was left at the destination.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .notHDF5(let path):
            return "\(path): not an HDF5 file (an .h5ad file is HDF5; was this a .loom, .csv or a truncated download?)"
        case .notAnnData(let path, let reason):
            return "\(path): HDF5 but not an AnnData file: \(reason)"
        case .unsupportedEncoding(let path, let field, let encoding):
            return "\(path): field '\(field)' has encoding-type '\(encoding)', which is not supported"
        case .missingField(let path, let field, let available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "\(path): field '\(field)' not found (available: \(list))"
        case .malformed(let path, let field, let reason):
            return "\(path): field '\(field)' is malformed: \(reason)"
        case .hdf5(let path, let field, let operation):
            return "\(path): HDF5 failed to \(operation) '\(field)' (truncated or corrupt file?)"
        case .corrupt(let path, let field, let reason):
            return "\(path): corrupt file: \(reason) '\(field)' in an isolated check; nothing was read from it"
        case .writeFailed(let path, let reason):
            return "\(path): could not write: \(reason)"
        }
    }
}
