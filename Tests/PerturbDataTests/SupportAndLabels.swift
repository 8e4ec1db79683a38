import Foundation
import XCTest
import AnnData
import LinearAlgebra
@testable import PerturbData

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A path under ../shared/realdata, or a skip when the shared folder is absent (a user's clone).
func realDataPath(_ relative: String) throws -> String {
    let path = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/realdata/\(relative)").path
    guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("real data not present: \(path)") }
    return path
}

final class ConditionLabelTests: XCTestCase {
    let labeling = ConditionLabeling(controlLabel: "non-targeting")

    func testCombinationsAreCanonical() {
        XCTAssertEqual(labeling.canonical("B+A"), "A+B")
        XCTAssertEqual(labeling.canonical("A+B"), "A+B")
        XCTAssertEqual(labeling.canonical("A+ctrl"), "A")
        XCTAssertEqual(labeling.canonical("ctrl+A"), "A")
        XCTAssertEqual(labeling.canonical("ctrl"), "non-targeting")
        XCTAssertEqual(labeling.canonical("ctrl+ctrl"), "non-targeting")
        XCTAssertEqual(labeling.canonical("non-targeting"), "non-targeting")
        XCTAssertEqual(labeling.canonical("C+A+B"), "A+B+C")
        XCTAssertEqual(labeling.canonical("A+A"), "A")
        XCTAssertEqual(labeling.canonical(" B + A "), "A+B")
    }

    func testMembersAndKinds() {
        XCTAssertEqual(labeling.members(of: "KLF1+ctrl"), ["KLF1"])
        XCTAssertTrue(labeling.isCombination("B+A"))
        XCTAssertFalse(labeling.isCombination("A+ctrl"))
        XCTAssertTrue(labeling.isControl("ctrl"))
    }

    func testClosestLabelsRankByEditDistance() {
        XCTAssertEqual(editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(closestLabels(to: "non-targeting", among: ["NT", "nontargeting", "STAT1", "non_targeting"], limit: 2),
                       ["non_targeting", "nontargeting"])
    }

    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256Hasher.hex(of: Array("".utf8)),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256Hasher.hex(of: Array("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(SHA256Hasher.hex(of: long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // FIPS 180-2 vector: one million 'a' (15,625 blocks through the bulk, possibly SHA-NI, path).
        XCTAssertEqual(SHA256Hasher.hex(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
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
