import CHDF5
#if canImport(Glibc)
    import Glibc
#endif

/// Decompression for h5py's LZF filter (filter id 32000), which libhdf5 does not ship.
///
/// anndata files written with `compression="lzf"` store their chunks this way. The format is liblzf's:
/// a control byte below 32 starts a literal run of `ctrl + 1` bytes; otherwise the top three bits give a
/// back-reference length (7 means "add the next byte") and the low five bits the high part of the offset.
enum LZFFilter {
    static let id: H5Z_filter_t = 32000

    /// Registers the filter with libhdf5 (decompression only; writing uses gzip).
    static func register() {
        guard H5Zfilter_avail(id) <= 0 else { return }
        var filterClass = H5Z_class2_t()
        filterClass.version = 1  // H5Z_CLASS_T_VERS
        filterClass.id = id
        filterClass.encoder_present = 0
        filterClass.decoder_present = 1
        filterClass.name = UnsafePointer(lzfName)
        filterClass.can_apply = nil
        filterClass.set_local = nil
        filterClass.filter = lzfFilterCallback
        _ = H5Zregister(&filterClass)
    }

    nonisolated(unsafe) private static let lzfName = strdup("lzf (PerturbKit decoder)")!

    /// Decodes `input` into `output`; returns the number of bytes written, or nil when the data is invalid
    /// or `output` is too small (`tooSmall` tells which).
    static func decompress(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
        tooSmall: inout Bool
    ) -> Int? {
        tooSmall = false
        let inp = input.bindMemory(to: UInt8.self)
        let out = output.bindMemory(to: UInt8.self)
        var ip = 0, op = 0
        let inEnd = inp.count, outEnd = out.count
        while ip < inEnd {
            var ctrl = Int(inp[ip]); ip += 1
            if ctrl < 32 {
                ctrl += 1
                if op + ctrl > outEnd { tooSmall = true; return nil }
                if ip + ctrl > inEnd { return nil }
                for i in 0..<ctrl { out[op + i] = inp[ip + i] }
                op += ctrl; ip += ctrl
            } else {
                var length = ctrl >> 5
                var reference = op - ((ctrl & 0x1f) << 8) - 1
                if ip >= inEnd { return nil }
                if length == 7 {
                    length += Int(inp[ip]); ip += 1
                    if ip >= inEnd { return nil }
                }
                reference -= Int(inp[ip]); ip += 1
                if op + length + 2 > outEnd { tooSmall = true; return nil }
                if reference < 0 { return nil }
                for i in 0..<(length + 2) { out[op + i] = out[reference + i] }
                op += length + 2
            }
        }
        return op
    }
}

/// The H5Z_func_t callback: on read (H5Z_FLAG_REVERSE) replace `*buf` by its decompressed bytes.
private let lzfFilterCallback: H5Z_func_t = { flags, cdCount, cdValues, nbytes, bufSize, buf in
    guard let buf, let bufSize, let input = buf.pointee else { return 0 }
    guard flags & UInt32(H5Z_FLAG_REVERSE) != 0 else { return 0 }  // no encoder
    var capacity = (cdCount >= 3 && cdValues != nil && cdValues![2] != 0) ? Int(cdValues![2]) : bufSize.pointee
    capacity = max(capacity, 1)
    for _ in 0..<32 {
        guard let output = malloc(capacity) else { return 0 }
        var tooSmall = false
        let written = LZFFilter.decompress(
            UnsafeRawBufferPointer(start: input, count: nbytes),
            into: UnsafeMutableRawBufferPointer(start: output, count: capacity),
            tooSmall: &tooSmall)
        if let written {
            free(input)
            buf.pointee = output
            bufSize.pointee = capacity
            return written
        }
        free(output)
        guard tooSmall else { return 0 }
        capacity += max(bufSize.pointee, 1)
    }
    return 0
}
