import Foundation
import Support
import XCTest

final class SHA256HasherTests: XCTestCase {
    func testSHA256KnownVectors() {
        XCTAssertEqual(
            SHA256Hasher.hex(of: Array("".utf8)),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            SHA256Hasher.hex(of: Array("abc".utf8)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(SHA256Hasher.hex(of: long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // FIPS 180-2 vector: one million 'a' (15,625 blocks through the bulk, possibly SHA-NI, path).
        XCTAssertEqual(
            SHA256Hasher.hex(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Pieces of odd sizes give the same digest as one piece.
        var pieces = SHA256Hasher()
        for size in [1, 63, 64, 65, 1000, 998_807] { pieces.update([UInt8](repeating: UInt8(ascii: "a"), count: size)) }
        XCTAssertEqual(pieces.finalizeHex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testSHA256OfAFileMatchesSha256sum() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/eval/basic/real.h5ad").path
        // sha256sum Tests/Fixtures/eval/basic/real.h5ad
        XCTAssertEqual(try SHA256Hasher.hex(ofFile: path), "362ba08e1eac69925c589a863eb09548fcd018f6855a3ea23ade6cc3af80a93a")
    }
}

final class RandomTests: XCTestCase {
    func testSplitMix64MatchesTheReferenceSequence() {
        // Vigna's splitmix64.c from state 0: e220a8397b1dcdaf 6e789e6aa1b965f4 06c45d188009454f.
        var bits = SplitMix64(state: 0)
        XCTAssertEqual([bits.next(), bits.next(), bits.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    func testSeededRandomIsReproducibleAndStreamsDiffer() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 42, stream: 1)
        let x = (0..<8).map { _ in a.next() }
        XCTAssertEqual(x, (0..<8).map { _ in b.next() })
        XCTAssertNotEqual(x, (0..<8).map { _ in c.next() })
    }
}
