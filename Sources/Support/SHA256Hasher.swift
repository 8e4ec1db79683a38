import CSHA256
import Foundation

/// SHA-256 (FIPS 180-4), for input-file and split content hashes in manifests.
public struct SHA256Hasher: Sendable {
    private var state: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() {}

    /// Adds bytes to the message.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        length &+= UInt64(bytes.count)
        if bytes.withContiguousStorageIfAvailable({ absorb($0) }) == nil {
            Array(bytes).withUnsafeBufferPointer { absorb($0) }
        }
    }

    /// Compresses whole blocks straight from `input`, keeping a partial block in `pending`.
    private mutating func absorb(_ input: UnsafeBufferPointer<UInt8>) {
        var i = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, input.count)
            pending.append(contentsOf: input[0..<take])
            i = take
            guard pending.count == 64 else { return }
            let block = pending
            block.withUnsafeBufferPointer { compress($0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        let whole = (input.count - i) / 64
        if whole > 0 {
            compress(input.baseAddress! + i, blocks: whole)
            i += whole * 64
        }
        if i < input.count { pending.append(contentsOf: input[i...]) }
    }

    /// The digest as lowercase hex.
    public mutating func finalizeHex() -> String {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        while (pending.count + tail.count) % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        let savedLength = length
        update(tail)
        length = savedLength
        return state.map { String(format: "%08x", $0) }.joined()
    }

    private mutating func compress(_ block: UnsafePointer<UInt8>) {
        compress(block, blocks: 1)
    }

    /// Compresses `blocks` consecutive 64-byte blocks (C, with the CPU's SHA instructions when present).
    private mutating func compress(_ data: UnsafePointer<UInt8>, blocks: Int) {
        state.withUnsafeMutableBufferPointer { pk_sha256_blocks($0.baseAddress!, data, blocks) }
    }

    /// SHA-256 of a byte sequence, as hex.
    public static func hex(of bytes: some Collection<UInt8>) -> String {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// SHA-256 of a file's contents, read in 4 MiB pieces.
    public static func hex(ofFile path: String) throws -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        var hasher = SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]).bindMemory(to: UInt8.self))
        }
        return hasher.finalizeHex()
    }
}
