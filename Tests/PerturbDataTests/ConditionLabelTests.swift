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
        XCTAssertEqual(
            closestLabels(to: "non-targeting", among: ["NT", "nontargeting", "STAT1", "non_targeting"], limit: 2),
            ["non_targeting", "nontargeting"])
    }
}
