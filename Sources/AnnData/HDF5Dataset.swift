import CHDF5
import Foundation

/// A dataset of an open HDF5 file.
struct H5Dataset: H5Object {
    let handle: H5Handle
    let file: String
    let name: String

    /// The dataset's dimensions (empty for a scalar).
    func shape() throws -> [Int] {
        let space = try H5Handle(H5Dget_space(handle.id), .dataspace, path: file, field: name, operation: "read shape of")
        let rank = Int(H5Sget_simple_extent_ndims(space.id))
        guard rank >= 0 else { throw AnnDataError.hdf5(path: file, field: name, operation: "read shape of") }
        var dims = [hsize_t](repeating: 0, count: rank)
        if rank > 0 { H5Sget_simple_extent_dims(space.id, &dims, nil) }
        guard dims.allSatisfy({ $0 <= hsize_t(Int.max) }) else {
            throw AnnDataError.malformed(path: file, field: name, reason: "has an impossible size \(dims) (a corrupt header)")
        }
        return dims.map { Int($0) }
    }

    /// The most elements a dataset may claim: as many as fit in this machine's memory at 8 bytes each (the widest
    /// type we read into). A larger claim is a corrupt header (or a file no read could hold), and allocating it would
    /// abort the process instead of failing.
    static let maximumElements = Int(ProcessInfo.processInfo.physicalMemory / 8)

    /// Byte range of a contiguous (unchunked) dataset's raw data in the file, or nil when chunked or empty.
    func storageRange() -> Range<Int>? {
        let offset = H5Dget_offset(handle.id)
        let size = Int(H5Dget_storage_size(handle.id))
        guard offset != haddr_t.max, size > 0 else { return nil }
        return Int(offset)..<(Int(offset) + size)
    }

    /// Number of elements (1 for a scalar); throws when it exceeds `maximumElements`.
    func elementCount() throws -> Int {
        let shape = try shape()
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= H5Dataset.maximumElements else {
                let gib = ProcessInfo.processInfo.physicalMemory >> 30
                throw AnnDataError.malformed(
                    path: file, field: name,
                    reason: "claims shape \(shape), more elements than this machine's \(gib) GiB of memory holds (a corrupt header?)")
            }
            count = product
        }
        return count
    }

    /// The element type.
    func elementType() throws -> H5ElementType {
        let type = try H5Handle(H5Dget_type(handle.id), .datatype, path: file, field: name, operation: "read type of")
        return H5ElementType(type.id)
    }

    /// Reads the whole dataset, converted by HDF5 to the memory type `memType` (e.g. native float).
    func readAll<T: Numeric>(as memType: hid_t, _: T.Type = T.self) throws -> [T] {
        let count = try elementCount()
        guard count > 0 else { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try h5check(
                H5Dread(handle.id, memType, H5.all, H5.all, H5.defaultProperties, buffer.baseAddress),
                path: file, field: name, "read")
            initialized = count
        }
    }

    /// Reads elements `offset ..< offset + count` of a one-dimensional dataset into `destination`.
    func read1D(offset: Int, count: Int, memType: hid_t, into destination: UnsafeMutableRawPointer) throws {
        guard count > 0 else { return }
        try readHyperslab(start: [offset], count: [count], memType: memType, into: destination)
    }

    /// Reads rows `firstRow ..< firstRow + rowCount` of a two-dimensional dataset into `destination`.
    func readRows(
        firstRow: Int, rowCount: Int, columns: Int, memType: hid_t,
        into destination: UnsafeMutableRawPointer
    ) throws {
        guard rowCount > 0, columns > 0 else { return }
        try readHyperslab(start: [firstRow, 0], count: [rowCount, columns], memType: memType, into: destination)
    }

    /// Reads the block of `count` elements per axis starting at `start` into `destination`.
    func readHyperslab(
        start: [Int], count: [Int], memType: hid_t,
        into destination: UnsafeMutableRawPointer
    ) throws {
        let fileSpace = try H5Handle(H5Dget_space(handle.id), .dataspace, path: file, field: name, operation: "read shape of")
        var starts = start.map { hsize_t($0) }
        var counts = count.map { hsize_t($0) }
        try h5check(
            H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &starts, nil, &counts, nil),
            path: file, field: name, "select part of")
        let memSpace = try H5Handle(
            H5Screate_simple(Int32(counts.count), &counts, nil), .dataspace,
            path: file, field: name, operation: "allocate a buffer for")
        try h5check(
            H5Dread(handle.id, memType, memSpace.id, fileSpace.id, H5.defaultProperties, destination),
            path: file, field: name, "read")
    }

    /// Reads a string dataset (variable or fixed length, any rank) in storage order.
    func readStrings() throws -> [String] {
        let type = try H5Handle(H5Dget_type(handle.id), .datatype, path: file, field: name, operation: "read type of")
        guard H5Tget_class(type.id) == H5T_STRING else {
            throw AnnDataError.malformed(path: file, field: name, reason: "expected strings")
        }
        return try readStrings(fileType: type.id, count: try elementCount(), field: name) { memType, buffer in
            H5Dread(handle.id, memType, H5.all, H5.all, H5.defaultProperties, buffer)
        }
    }

    /// Reads a boolean dataset (h5py enum bool or an integer dataset).
    func readBools() throws -> [Bool] {
        let type = try H5Handle(H5Dget_type(handle.id), .datatype, path: file, field: name, operation: "read type of")
        let count = try elementCount()
        guard count > 0 else { return [] }
        var bytes = [Int8](repeating: 0, count: count)
        switch H5Tget_class(type.id) {
        case H5T_ENUM:
            let native = try H5Handle(
                H5Tget_native_type(type.id, H5T_DIR_ASCEND), .datatype,
                path: file, field: name, operation: "read type of")
            guard H5Tget_size(native.id) == 1 else {
                throw AnnDataError.malformed(path: file, field: name, reason: "unsupported enum type")
            }
            try h5check(
                H5Dread(handle.id, native.id, H5.all, H5.all, H5.defaultProperties, &bytes),
                path: file, field: name, "read")
        case H5T_INTEGER:
            try h5check(
                H5Dread(handle.id, pk_h5t_native_int8(), H5.all, H5.all, H5.defaultProperties, &bytes),
                path: file, field: name, "read")
        default:
            throw AnnDataError.malformed(path: file, field: name, reason: "expected booleans")
        }
        return bytes.map { $0 != 0 }
    }
}
